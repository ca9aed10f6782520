import { expect } from 'chai';
import type { CalendarDate } from '../../../src/domain/calendar-date.js';
import type { InvoiceId, SchoolId, StudentId } from '../../../src/domain/ids.js';
import { formatInvoiceNumber, issueInvoice, reviseInvoice, viewInvoice } from '../../../src/domain/invoice.js';
import { agingBucketOf } from '../../../src/domain/statement.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const date = (value: string) => value as CalendarDate;

function issue(overrides: Partial<Parameters<typeof issueInvoice>[0]> = {}) {
  return issueInvoice({
    id: 'i' as InvoiceId,
    schoolId: 's' as SchoolId,
    studentId: 't' as StudentId,
    sequence: 42n,
    description: 'Tuition',
    amountMinor: 1000n,
    issueDate: null,
    dueDate: date('2026-03-31'),
    today: date('2026-03-10'),
    idempotencyKey: null,
    requestFingerprint: null,
    now: NOW,
    ...overrides,
  });
}

describe('invoices', () => {
  it('number from the school sequence', () => {
    expect(issue().number).to.equal('INV-000042');
    expect(formatInvoiceNumber(1234567n)).to.equal('INV-1234567');
  });

  it('are issued today unless told otherwise, never in the future', () => {
    expect(issue().issueDate).to.equal('2026-03-10');
    expect(() => issue({ issueDate: date('2026-03-11') }))
      .to.throw()
      .with.property('reason', 'ISSUE_DATE_IN_FUTURE');
  });

  it('are due on or after their issue date', () => {
    expect(issue({ dueDate: date('2026-03-10') }).dueDate).to.equal('2026-03-10');
    expect(() => issue({ dueDate: date('2026-03-09') }))
      .to.throw()
      .with.property('reason', 'DUE_DATE_BEFORE_ISSUE_DATE');
  });

  it('refuse amounts outside 1 to 10^12 minor units', () => {
    expect(issue({ amountMinor: 1_000_000_000_000n }).amountMinor).to.equal(1_000_000_000_000n);
    for (const amountMinor of [0n, -5n, 1_000_000_000_001n]) {
      expect(() => issue({ amountMinor }))
        .to.throw()
        .with.property('reason', 'INVALID_AMOUNT');
    }
  });

  it('derive their status from the applied amount', () => {
    const base = issue();
    expect(viewInvoice(base, date('2026-03-10')).status).to.equal('UNPAID');
    expect(viewInvoice({ ...base, appliedMinor: 1n }, date('2026-03-10')).status).to.equal('PARTIALLY_PAID');
    expect(viewInvoice({ ...base, appliedMinor: 1000n }, date('2026-03-10')).status).to.equal('PAID');
    expect(viewInvoice({ ...base, state: 'VOID' }, date('2026-03-10')).status).to.equal('VOID');
  });

  it('are not overdue on their due date, and one day overdue the day after', () => {
    const base = issue();
    expect(viewInvoice(base, date('2026-03-31'))).to.include({ overdue: false, daysOverdue: 0 });
    expect(viewInvoice(base, date('2026-04-01'))).to.include({ overdue: true, daysOverdue: 1 });
    expect(viewInvoice(base, date('2026-05-01'))).to.include({ overdue: true, daysOverdue: 31 });
  });

  it('are never overdue once paid or void', () => {
    const base = issue();
    expect(viewInvoice({ ...base, appliedMinor: 1000n }, date('2026-06-01'))).to.include({ overdue: false, daysOverdue: 0 });
    expect(viewInvoice({ ...base, state: 'VOID' }, date('2026-06-01'))).to.include({ overdue: false, outstandingMinor: 0n });
  });

  it('age outstanding amounts by days past due', () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91].map(agingBucketOf)).to.deep.equal([
      'currentMinor',
      'days1To30Minor',
      'days1To30Minor',
      'days31To60Minor',
      'days31To60Minor',
      'days61To90Minor',
      'days61To90Minor',
      'daysOver90Minor',
    ]);
  });

  it('may not drop below what is applied, and void invoices are immutable', () => {
    const paid = { ...issue(), appliedMinor: 600n };
    expect(reviseInvoice(paid, { amountMinor: 600n }, NOW).amountMinor).to.equal(600n);
    expect(() => reviseInvoice(paid, { amountMinor: 599n }, NOW))
      .to.throw()
      .with.property('reason', 'INVOICE_AMOUNT_BELOW_APPLIED');
    expect(() => reviseInvoice({ ...issue(), state: 'VOID' }, { description: 'x' }, NOW))
      .to.throw()
      .with.property('reason', 'INVOICE_VOID');
  });
});
