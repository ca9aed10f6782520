import { type AllocationRequest, allocationTargetError, requireAllocationRequests } from '../../domain/allocation.js';
import { DomainError } from '../../domain/errors.js';
import { accessDenied } from '../../domain/access.js';
import type { PaymentId, SchoolId, StudentId } from '../../domain/ids.js';
import { isOpen, outstandingOf } from '../../domain/invoice.js';
import { type PaymentMethod, type PaymentView, receivePayment, requirePaidAt, requireReference, viewPayment } from '../../domain/payment.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { TransactionScope, UnitOfWork } from '../ports/unit-of-work.js';
import type { StudentLedger } from '../../domain/ledger.js';
import { lockStudent, openLedger, saveLedger } from '../shared/ledger-session.js';
import { requestFingerprint } from '../shared/request-fingerprint.js';

export interface CreatePaymentCommand {
  readonly studentId: StudentId;
  readonly amountMinor: bigint;
  /** Null means now. */
  readonly paidAt: Date | null;
  readonly method: PaymentMethod;
  readonly reference: string;
  readonly allocations: readonly AllocationRequest[];
  readonly idempotencyKey: string | null;
  /**
   * The schools the caller may see (null: every school). The student's school
   * is checked against them under the row lock, and an explicit allocation
   * naming an invoice that does not exist or lies outside them is
   * ACCESS_DENIED either way, so a scoped caller learns nothing about other
   * schools' invoices.
   */
  readonly visibleSchools?: ReadonlySet<SchoolId> | null;
}

/**
 * Records a payment at the student's current school and applies it: explicit
 * allocations, then oldest due invoices, then credit.
 */
export class CreatePayment {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute({ idempotencyKey, visibleSchools = null, ...request }: CreatePaymentCommand): Promise<PaymentView> {
    // Input errors come before the lookup (receivePayment checks them again against the transaction's clock).
    requireAllocationRequests(request.allocations, request.amountMinor);
    if (request.paidAt !== null) requirePaidAt(request.paidAt, this.clock.now());
    requireReference(request.reference);
    const fingerprint = requestFingerprint(request);
    return this.uow.run(async (repositories) => {
      const now = this.clock.now();
      const student = await lockStudent(repositories, request.studentId, 'student_id', visibleSchools);
      if (idempotencyKey !== null) {
        const earlier = await repositories.payments.findByIdempotencyKey(student.id, idempotencyKey);
        if (earlier) {
          if (earlier.requestFingerprint !== fingerprint) {
            throw new DomainError(
              'IDEMPOTENCY_KEY_REUSED',
              'idempotency_key was already used for a different payment of this student',
              'idempotency_key',
            );
          }
          return viewPayment(earlier, await repositories.payments.activeAllocationsOfPayments([earlier.id]));
        }
      }
      const payment = receivePayment({
        ...request,
        id: this.ids.newId() as PaymentId,
        schoolId: student.schoolId,
        idempotencyKey,
        requestFingerprint: idempotencyKey === null ? null : fingerprint,
        now,
      });
      const explicitIds = request.allocations.map((allocation) => allocation.invoiceId);
      const ledger = await openLedger(repositories, payment, { invoiceIds: explicitIds }, now, this.ids);
      await requireAllocationTargets(repositories, ledger, payment, request.allocations, visibleSchools);
      const received = ledger.receive(payment, request.allocations);
      await saveLedger(repositories, ledger);
      const allocations = ledger.changes().newAllocations.filter((allocation) => allocation.paymentId === received.id);
      return viewPayment(received, allocations);
    });
  }
}

/** Explains, with the precise reason, the first explicit target that cannot take its allocation. */
async function requireAllocationTargets(
  repositories: TransactionScope,
  ledger: StudentLedger,
  payment: { studentId: StudentId; schoolId: StudentLedger['schoolId'] },
  requests: readonly AllocationRequest[],
  visibleSchools: ReadonlySet<SchoolId> | null,
): Promise<void> {
  const fits = (request: AllocationRequest) => {
    const invoice = ledger.invoice(request.invoiceId);
    return invoice !== undefined && isOpen(invoice) && request.amountMinor <= outstandingOf(invoice);
  };
  if (requests.every(fits)) return;
  const unknown = requests.filter((request) => !ledger.invoice(request.invoiceId)).map((request) => request.invoiceId);
  const others = new Map((unknown.length > 0 ? await repositories.invoices.findByIds(unknown) : []).map((i) => [i.id, i]));
  requests.forEach((request, index) => {
    const invoice = ledger.invoice(request.invoiceId) ?? others.get(request.invoiceId) ?? null;
    if (visibleSchools !== null && (invoice === null || !visibleSchools.has(invoice.schoolId))) {
      throw accessDenied(`allocations[${index}].invoice_id`);
    }
    const error = allocationTargetError(invoice, { ...payment, amountMinor: request.amountMinor }, `allocations[${index}]`);
    if (error) throw error;
  });
}
