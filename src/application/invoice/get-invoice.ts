import { DomainError } from '../../domain/errors.js';
import type { InvoiceId } from '../../domain/ids.js';
import type { InvoiceView } from '../../domain/invoice.js';
import type { Clock } from '../ports/clock.js';
import type { InvoiceRepository } from '../ports/invoice-repository.js';
import type { SchoolRepository } from '../ports/school-repository.js';
import { viewInvoices } from '../shared/school-calendar.js';

export class GetInvoice {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly schools: SchoolRepository,
    private readonly clock: Clock,
  ) {}

  async execute(id: InvoiceId): Promise<InvoiceView> {
    const invoice = await this.invoices.findById(id);
    if (!invoice) throw new DomainError('INVOICE_NOT_FOUND', 'invoice not found', 'id');
    const [view] = await viewInvoices([invoice], this.schools, this.clock.now());
    return view!;
  }
}
