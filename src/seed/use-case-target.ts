import type { BillingUseCases } from '../application/use-cases.js';
import type { CalendarDate } from '../domain/calendar-date.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../domain/ids.js';
import type { SeedTarget } from './target.js';

/** The use cases of this process: every write through the same rules and transactions as the service's. */
export function useCaseTarget(useCases: BillingUseCases, description: string, close: () => Promise<void>): SeedTarget {
  return {
    description,
    async createSchool(school) {
      return (await useCases.createSchool.execute(school)).id;
    },
    async createStudent(student) {
      return (await useCases.createStudent.execute({ ...student, schoolId: student.schoolId as SchoolId })).id;
    },
    async transferStudent(id, schoolId) {
      await useCases.updateStudent.execute({ id: id as StudentId, schoolId: schoolId as SchoolId });
    },
    async createInvoice(studentId, invoice) {
      const created = await useCases.createInvoice.execute({
        studentId: studentId as StudentId,
        description: invoice.description,
        amountMinor: invoice.amountMinor,
        issueDate: invoice.issueDate as CalendarDate,
        dueDate: invoice.dueDate as CalendarDate,
        idempotencyKey: null,
      });
      return created.id;
    },
    async voidInvoice(id) {
      await useCases.voidInvoice.execute({ id: id as InvoiceId, releaseAllocations: true });
    },
    async createPayment(studentId, payment) {
      const created = await useCases.createPayment.execute({
        studentId: studentId as StudentId,
        amountMinor: payment.amountMinor,
        paidAt: payment.paidAt,
        method: payment.method,
        reference: payment.reference,
        allocations: [],
        idempotencyKey: payment.idempotencyKey,
      });
      return created.id;
    },
    async reversePayment(id) {
      await useCases.reversePayment.execute(id as PaymentId);
    },
    async schoolTotals(schoolId) {
      const { value } = await useCases.getSchoolStatement.execute(schoolId as SchoolId, { size: 1, token: null });
      return { ...value.totals, currencyCode: value.currencyCode, studentCount: value.studentCount, studentsWithBalanceCount: value.studentsWithBalanceCount };
    },
    close,
  };
}
