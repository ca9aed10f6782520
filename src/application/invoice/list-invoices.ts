import type { InvoiceView } from '../../domain/invoice.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { Clock } from '../ports/clock.js';
import type { InvoiceFilter, InvoiceRepository } from '../ports/invoice-repository.js';
import type { SchoolRepository } from '../ports/school-repository.js';
import type { StudentRepository } from '../ports/student-repository.js';
import { requireListOwner } from '../shared/list-owner.js';
import { viewInvoices } from '../shared/school-calendar.js';

/** A student's invoices at every school that issued them, or a school's invoices. */
export class ListInvoices {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly schools: SchoolRepository,
    private readonly students: StudentRepository,
    private readonly clock: Clock,
  ) {}

  async execute(filter: InvoiceFilter, page: PageRequest): Promise<Page<InvoiceView>> {
    await requireListOwner(filter, this.schools, this.students);
    const found = await this.invoices.list(filter, page);
    return { items: await viewInvoices(found.items, this.schools, this.clock.now()), nextToken: found.nextToken };
  }
}
