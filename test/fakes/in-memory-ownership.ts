import type { BilledTarget, ResourceOwnership } from '../../src/application/ports/resource-ownership.js';
import type { InvoiceId, PaymentId, SchoolId } from '../../src/domain/ids.js';
import type { InMemoryState } from './in-memory-state.js';

/** Ownership of invoices and payments over the fake state; counts lookups, as the port allows one per call. */
export class InMemoryOwnership implements ResourceOwnership {
  lookups = 0;

  constructor(private readonly state: InMemoryState) {}

  async schoolOf(target: BilledTarget): Promise<SchoolId | null> {
    this.lookups += 1;
    switch (target.kind) {
      case 'invoice':
        return this.state.invoices.get(target.id as InvoiceId)?.schoolId ?? null;
      case 'payment':
        return this.state.payments.get(target.id as PaymentId)?.schoolId ?? null;
    }
  }
}
