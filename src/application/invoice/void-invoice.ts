import { DomainError } from '../../domain/errors.js';
import type { InvoiceId } from '../../domain/ids.js';
import { type InvoiceView, viewInvoice } from '../../domain/invoice.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { lockStudent, openLedger, saveLedger } from '../shared/ledger-session.js';
import { todayAt } from '../shared/school-calendar.js';

export interface VoidInvoiceCommand {
  readonly id: InvoiceId;
  /** Turn the payments applied to the invoice into credit instead of refusing. */
  readonly releaseAllocations: boolean;
}

/** Deleting an invoice voids it; the row and its allocation history stay. */
export class VoidInvoice {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  execute({ id, releaseAllocations }: VoidInvoiceCommand): Promise<InvoiceView> {
    return this.uow.run(async (repositories) => {
      const now = this.clock.now();
      const found = await repositories.invoices.findById(id);
      if (!found) throw new DomainError('INVOICE_NOT_FOUND', 'invoice not found', 'id');
      await lockStudent(repositories, found.studentId);
      const school = await repositories.schools.findById(found.schoolId);
      if (!school) throw new Error(`invariant: school ${found.schoolId} of invoice ${id} not found`);
      const active = await repositories.payments.activeAllocationsOfInvoice(id);
      const ledger = await openLedger(
        repositories,
        found,
        { invoiceIds: [id], paymentIds: active.map((allocation) => allocation.paymentId) },
        now,
        this.ids,
      );
      const voided = ledger.void(id, active, releaseAllocations);
      await saveLedger(repositories, ledger);
      return viewInvoice(voided, todayAt(school, now));
    });
  }
}
