import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { type Interceptor, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { InvoiceService } from '../gen/billing/v1/invoice_pb.js';
import { PaymentMethod, PaymentService } from '../gen/billing/v1/payment_pb.js';
import { SchoolService } from '../gen/billing/v1/school_pb.js';
import { StatementService } from '../gen/billing/v1/statement_pb.js';
import { StudentService, StudentStatus } from '../gen/billing/v1/student_pb.js';
import type { SeedTarget } from './target.js';

/**
 * A running service over gRPC (`--url`), with an optional bearer token in
 * `authorization` on every call (for when authentication is on).
 */
export function grpcTarget(baseUrl: string, token?: string): SeedTarget {
  const bearer: Interceptor = (next) => (request) => {
    if (token) request.header.set('authorization', `Bearer ${token}`);
    return next(request);
  };
  const transport = createGrpcTransport({ baseUrl, interceptors: [bearer] });
  const schools = createClient(SchoolService, transport);
  const students = createClient(StudentService, transport);
  const invoices = createClient(InvoiceService, transport);
  const payments = createClient(PaymentService, transport);
  const statements = createClient(StatementService, transport);
  return {
    description: `the service at ${baseUrl}${token ? ' (with a bearer token)' : ''}`,
    async createSchool(school) {
      return (await schools.createSchool(school)).school!.id;
    },
    async createStudent(student) {
      return (await students.createStudent({ ...student, status: StudentStatus[student.status] })).student!.id;
    },
    async transferStudent(id, schoolId) {
      await students.updateStudent({ id, schoolId });
    },
    async createInvoice(studentId, invoice) {
      return (await invoices.createInvoice({ studentId, ...invoice })).invoice!.id;
    },
    async voidInvoice(id) {
      await invoices.deleteInvoice({ id, releaseAllocations: true });
    },
    async createPayment(studentId, payment) {
      const created = await payments.createPayment({
        studentId,
        amountMinor: payment.amountMinor,
        paidAt: timestampFromDate(payment.paidAt),
        method: PaymentMethod[payment.method],
        reference: payment.reference,
        idempotencyKey: payment.idempotencyKey,
      });
      return created.payment!.id;
    },
    async reversePayment(id) {
      await payments.deletePayment({ id });
    },
    async schoolTotals(schoolId) {
      const { statement } = await statements.getSchoolStatement({ schoolId, pageSize: 1 });
      return { ...statement!.totals!, currencyCode: statement!.currencyCode, studentCount: statement!.studentCount, studentsWithBalanceCount: statement!.studentsWithBalanceCount };
    },
    close: async () => undefined,
  };
}
