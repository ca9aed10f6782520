import { DomainError } from '../../domain/errors.js';
import type { InvoiceId } from '../../domain/ids.js';
import { type InvoiceChanges, type InvoiceView, requireDescription, viewInvoice } from '../../domain/invoice.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { lockStudent, openLedger, saveLedger } from '../shared/ledger-session.js';
import { todayAt } from '../shared/school-calendar.js';

export interface UpdateInvoiceCommand extends InvoiceChanges {
  readonly id: InvoiceId;
}

/** Description, due date and amount; a larger amount reopens the invoice to existing credit. */
export class UpdateInvoice {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute({ id, ...changes }: UpdateInvoiceCommand): Promise<InvoiceView> {
    // Input errors come before the lookup; the due date needs the invoice's issue date and comes after it.
    if (changes.description !== undefined) requireDescription(changes.description);
    return this.uow.run(async (repositories) => {
      const now = this.clock.now();
      const found = await repositories.invoices.findById(id);
      if (!found) throw new DomainError('INVOICE_NOT_FOUND', 'invoice not found', 'id');
      await lockStudent(repositories, found.studentId);
      const school = await repositories.schools.findById(found.schoolId);
      if (!school) throw new Error(`invariant: school ${found.schoolId} of invoice ${id} not found`);
      const ledger = await openLedger(repositories, found, { invoiceIds: [id] }, now, this.ids);
      const revised = ledger.revise(id, changes);
      await saveLedger(repositories, ledger);
      return viewInvoice(revised, todayAt(school, now));
    });
  }
}
