import type { DescMessage, DescMethod, DescService, MessageShape } from '@bufbuild/protobuf';
import type { AccessTarget } from '../../domain/access.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../../domain/ids.js';
import { CacheAdminService } from '../../gen/billing/v1/cache_admin_pb.js';
import { InvoiceService } from '../../gen/billing/v1/invoice_pb.js';
import { PaymentService } from '../../gen/billing/v1/payment_pb.js';
import { SchoolService } from '../../gen/billing/v1/school_pb.js';
import { StatementService } from '../../gen/billing/v1/statement_pb.js';
import { StudentService } from '../../gen/billing/v1/student_pb.js';
import { changedId, optionalId, requiredId } from './requests.js';

/**
 * What every RPC touches, for authorization (application/access/authorize.ts).
 *
 * One rule per method of every billing.v1 service: the type below makes a
 * missing method a compile error, `accessRuleFor` refuses (fails closed) a
 * method without a rule, and test/unit/interface/access-rules.test.ts checks
 * the table against the service descriptors. A rule reads only ids from the
 * request, validated as the handler will validate them (a malformed id is
 * INVALID_ARGUMENT before any lookup), and names at most one student,
 * invoice or payment: the one primary-key lookup a call may cost.
 */
export type AccessRule<I extends DescMessage = DescMessage> = (request: MessageShape<I>) => readonly AccessTarget[];

type Rules<S extends DescService> = {
  readonly [K in keyof S['method']]: S['method'][K] extends { input: infer I extends DescMessage } ? AccessRule<I> : never;
};

const ADMIN: readonly AccessTarget[] = [{ kind: 'admin' }];
const ANY: readonly AccessTarget[] = [{ kind: 'any' }];

const school = (value: string, field: string): AccessTarget => ({ kind: 'school', id: requiredId<SchoolId>(value, field), field });
const student = (value: string, field: string): AccessTarget => ({ kind: 'student', id: requiredId<StudentId>(value, field), field });
const invoice = (value: string, field: string): AccessTarget => ({ kind: 'invoice', id: requiredId<InvoiceId>(value, field), field });
const payment = (value: string, field: string): AccessTarget => ({ kind: 'payment', id: requiredId<PaymentId>(value, field), field });

/** Lists by student or by school: whichever is given (the use case insists on exactly one). */
function owner(request: { studentId: string; schoolId: string }): readonly AccessTarget[] {
  const studentId = optionalId<StudentId>(request.studentId, 'student_id');
  const schoolId = optionalId<SchoolId>(request.schoolId, 'school_id');
  const targets: AccessTarget[] = [];
  if (studentId !== null) targets.push({ kind: 'student', id: studentId, field: 'student_id' });
  if (schoolId !== null) targets.push({ kind: 'school', id: schoolId, field: 'school_id' });
  return targets.length > 0 ? targets : ANY;
}

const schoolRules: Rules<typeof SchoolService> = {
  createSchool: () => ADMIN,
  getSchool: (request) => [school(request.id, 'id')],
  // Every caller; a school caller sees only its schools (the handler narrows the list).
  listSchools: () => ANY,
  updateSchool: (request) => [school(request.id, 'id')],
  deleteSchool: () => ADMIN,
};

const studentRules: Rules<typeof StudentService> = {
  createStudent: (request) => [school(request.schoolId, 'school_id')],
  getStudent: (request) => [student(request.id, 'id')],
  listStudents: (request) => [school(request.schoolId, 'school_id')],
  // A transfer needs the student's school and the new one.
  updateStudent: (request) => {
    const to = changedId<SchoolId>(request.schoolId, 'school_id');
    return to === undefined ? [student(request.id, 'id')] : [student(request.id, 'id'), { kind: 'school', id: to, field: 'school_id' }];
  },
  deleteStudent: (request) => [student(request.id, 'id')],
};

const invoiceRules: Rules<typeof InvoiceService> = {
  createInvoice: (request) => [student(request.studentId, 'student_id')],
  getInvoice: (request) => [invoice(request.id, 'id')],
  listInvoices: owner,
  updateInvoice: (request) => [invoice(request.id, 'id')],
  deleteInvoice: (request) => [invoice(request.id, 'id')],
};

const paymentRules: Rules<typeof PaymentService> = {
  // Explicit allocation targets are checked by the use case (same answer for unknown and out of scope).
  createPayment: (request) => [student(request.studentId, 'student_id')],
  getPayment: (request) => [payment(request.id, 'id')],
  listPayments: owner,
  deletePayment: (request) => [payment(request.id, 'id')],
};

const statementRules: Rules<typeof StatementService> = {
  getStudentStatement: (request) => [student(request.studentId, 'student_id')],
  getSchoolStatement: (request) => [school(request.schoolId, 'school_id')],
};

const cacheAdminRules: Rules<typeof CacheAdminService> = {
  getCacheStats: () => ADMIN,
  invalidateStatements: () => ADMIN,
  warmStatements: () => ADMIN,
};

/** Service type name → method local name → rule. */
export const ACCESS_RULES: ReadonlyMap<string, Readonly<Record<string, AccessRule>>> = new Map<string, Readonly<Record<string, AccessRule>>>([
  [SchoolService.typeName, schoolRules as unknown as Record<string, AccessRule>],
  [StudentService.typeName, studentRules as unknown as Record<string, AccessRule>],
  [InvoiceService.typeName, invoiceRules as unknown as Record<string, AccessRule>],
  [PaymentService.typeName, paymentRules as unknown as Record<string, AccessRule>],
  [StatementService.typeName, statementRules as unknown as Record<string, AccessRule>],
  [CacheAdminService.typeName, cacheAdminRules as unknown as Record<string, AccessRule>],
]);

/** The rule of a method, or undefined when it has none (the call is then refused). */
export function accessRuleFor(service: DescService, method: DescMethod): AccessRule | undefined {
  return ACCESS_RULES.get(service.typeName)?.[method.localName];
}

/** Methods of the services that have no rule: empty, or the server refuses to start. */
export function methodsWithoutRule(services: readonly DescService[]): string[] {
  return services.flatMap((service) =>
    service.methods.filter((method) => accessRuleFor(service, method) === undefined).map((method) => `${service.typeName}/${method.name}`),
  );
}
