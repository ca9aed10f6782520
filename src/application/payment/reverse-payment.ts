import { DomainError } from '../../domain/errors.js';
import type { PaymentId } from '../../domain/ids.js';
import { type PaymentView, viewPayment } from '../../domain/payment.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { lockStudent, openLedger, saveLedger } from '../shared/ledger-session.js';

/** Deleting a payment reverses it: its allocations stop counting and the invoices reopen; rows stay. */
export class ReversePayment {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  execute(id: PaymentId): Promise<PaymentView> {
    return this.uow.run(async (repositories) => {
      const now = this.clock.now();
      const found = await repositories.payments.findById(id);
      if (!found) throw new DomainError('PAYMENT_NOT_FOUND', 'payment not found', 'id');
      await lockStudent(repositories, found.studentId);
      const active = await repositories.payments.activeAllocationsOfPayments([id]);
      const ledger = await openLedger(
        repositories,
        found,
        { invoiceIds: active.map((allocation) => allocation.invoiceId), paymentIds: [id] },
        now,
        this.ids,
      );
      const reversed = ledger.reverse(id, active);
      await saveLedger(repositories, ledger);
      return viewPayment(reversed, []);
    });
  }
}
