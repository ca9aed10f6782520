import { accessDenied } from '../../domain/access.js';
import { DomainError } from '../../domain/errors.js';
import type { AllocationId, InvoiceId, PaymentId, SchoolId, StudentId } from '../../domain/ids.js';
import { StudentLedger } from '../../domain/ledger.js';
import type { Student } from '../../domain/student.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { TransactionScope } from '../ports/unit-of-work.js';

/**
 * Locks the student row: every write to a student's money takes this lock
 * first, so writes for one student run one at a time and always lock rows in
 * the same order (student, then school, then the ledger's rows).
 *
 * `visibleSchools` (a scoped caller's schools) is checked again under the
 * lock: authorization read the student's school before the transaction, and
 * a transfer committed in between must not let the write land at a school
 * the caller may not touch.
 */
export async function lockStudent(
  repositories: TransactionScope,
  id: StudentId,
  field = 'student_id',
  visibleSchools: ReadonlySet<SchoolId> | null = null,
): Promise<Student> {
  const student = await repositories.students.lock(id);
  if (!student) throw new DomainError('STUDENT_NOT_FOUND', 'student not found', field);
  if (visibleSchools !== null && !visibleSchools.has(student.schoolId)) throw accessDenied(field);
  return student;
}

/** Loads (and locks) what a write needs of one account: open invoices, credit, and the named rows. */
export async function openLedger(
  repositories: TransactionScope,
  account: { studentId: StudentId; schoolId: SchoolId },
  also: { invoiceIds?: readonly InvoiceId[]; paymentIds?: readonly PaymentId[] },
  now: Date,
  ids: IdGenerator,
): Promise<StudentLedger> {
  const invoices = await repositories.invoices.lockLedger(account.studentId, account.schoolId, also.invoiceIds ?? []);
  const payments = await repositories.payments.lockLedger(account.studentId, account.schoolId, also.paymentIds ?? []);
  return new StudentLedger(account.studentId, account.schoolId, { invoices, payments }, now, () => ids.newId() as AllocationId);
}

/**
 * Persists what the ledger changed (rows before the allocations that
 * reference them) and declares the account's statements changed.
 */
export async function saveLedger(repositories: TransactionScope, ledger: StudentLedger): Promise<void> {
  const changes = ledger.changes();
  if (Object.values(changes).some((rows) => rows.length > 0)) {
    repositories.statements.students([ledger.studentId]);
    repositories.statements.schools([ledger.schoolId]);
  }
  if (changes.newInvoices.length > 0) await repositories.invoices.insert(changes.newInvoices);
  if (changes.newPayments.length > 0) await repositories.payments.insert(changes.newPayments);
  if (changes.newAllocations.length > 0) await repositories.payments.insertAllocations(changes.newAllocations);
  if (changes.releasedAllocations.length > 0) await repositories.payments.releaseAllocations(changes.releasedAllocations);
  if (changes.changedInvoices.length > 0) await repositories.invoices.update(changes.changedInvoices);
  if (changes.changedPayments.length > 0) await repositories.payments.update(changes.changedPayments);
}
