import type { CalendarDate } from '../../domain/calendar-date.js';
import { DomainError } from '../../domain/errors.js';
import type { InvoiceId, SchoolId, StudentId } from '../../domain/ids.js';
import { type InvoiceView, issueInvoice, requireDescription, viewInvoice } from '../../domain/invoice.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { lockStudent, openLedger, saveLedger } from '../shared/ledger-session.js';
import { requestFingerprint } from '../shared/request-fingerprint.js';
import { todayAt } from '../shared/school-calendar.js';

export interface CreateInvoiceCommand {
  readonly studentId: StudentId;
  readonly description: string;
  readonly amountMinor: bigint;
  /** Null means today at the school. */
  readonly issueDate: CalendarDate | null;
  readonly dueDate: CalendarDate;
  readonly idempotencyKey: string | null;
  /** A scoped caller's schools (null: every school), checked again under the student's row lock. */
  readonly visibleSchools?: ReadonlySet<SchoolId> | null;
}

/** Issues an invoice at the student's current school; existing credit pays it at once. */
export class CreateInvoice {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute({ idempotencyKey, visibleSchools = null, ...request }: CreateInvoiceCommand): Promise<InvoiceView> {
    // Input errors come before the lookup; the dates need the school's today and come after it.
    requireDescription(request.description);
    const fingerprint = requestFingerprint(request);
    return this.uow.run(async (repositories) => {
      const now = this.clock.now();
      const student = await lockStudent(repositories, request.studentId, 'student_id', visibleSchools);
      const school = await repositories.schools.findById(student.schoolId);
      if (!school) throw new Error(`invariant: school ${student.schoolId} of student ${student.id} not found`);
      const today = todayAt(school, now);
      if (idempotencyKey !== null) {
        const earlier = await repositories.invoices.findByIdempotencyKey(student.id, idempotencyKey);
        if (earlier) {
          if (earlier.requestFingerprint !== fingerprint) throw keyReused();
          const issuer = earlier.schoolId === school.id ? school : await repositories.schools.findById(earlier.schoolId);
          return viewInvoice(earlier, todayAt(issuer ?? school, now));
        }
      }
      const sequence = await repositories.schools.nextInvoiceSequence(school.id);
      const invoice = issueInvoice({
        ...request,
        id: this.ids.newId() as InvoiceId,
        schoolId: school.id,
        sequence,
        today,
        idempotencyKey,
        requestFingerprint: idempotencyKey === null ? null : fingerprint,
        now,
      });
      const ledger = await openLedger(repositories, { studentId: student.id, schoolId: school.id }, {}, now, this.ids);
      const issued = ledger.issue(invoice);
      await saveLedger(repositories, ledger);
      return viewInvoice(issued, today);
    });
  }
}

function keyReused(): DomainError {
  return new DomainError(
    'IDEMPOTENCY_KEY_REUSED',
    'idempotency_key was already used for a different invoice of this student',
    'idempotency_key',
  );
}
