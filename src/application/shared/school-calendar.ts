import { type CalendarDate, dateInTimezone } from '../../domain/calendar-date.js';
import type { SchoolId } from '../../domain/ids.js';
import type { Invoice, InvoiceView } from '../../domain/invoice.js';
import { viewInvoice } from '../../domain/invoice.js';
import type { School } from '../../domain/school.js';
import type { SchoolRepository } from '../ports/school-repository.js';

export function todayAt(school: Pick<School, 'timezone'>, now: Date): CalendarDate {
  return dateInTimezone(now, school.timezone);
}

/** Views of invoices as of today at each one's issuing school (a student's invoices may span schools). */
export async function viewInvoices(invoices: readonly Invoice[], schools: SchoolRepository, now: Date): Promise<InvoiceView[]> {
  const ids = [...new Set(invoices.map((invoice) => invoice.schoolId))];
  const found = ids.length === 0 ? [] : await schools.findByIds(ids);
  const today = new Map<SchoolId, CalendarDate>(found.map((school) => [school.id, todayAt(school, now)]));
  return invoices.map((invoice) => {
    const asOf = today.get(invoice.schoolId);
    if (!asOf) throw new Error(`invariant: school ${invoice.schoolId} of invoice ${invoice.id} not found`);
    return viewInvoice(invoice, asOf);
  });
}
