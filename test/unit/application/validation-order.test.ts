/**
 * "Input errors come before lookups" (docs/decisions.md, docs/errors.md):
 * a field that is invalid whatever the database holds is INVALID_ARGUMENT
 * even when the request names an id that does not exist — never the
 * lookup's NOT_FOUND. Checks that need the stored row (a due date before the
 * invoice's issue date, an amount below what is applied) come after it.
 */
import { expect } from 'chai';
import type { CalendarDate } from '../../../src/domain/calendar-date.js';
import type { InvoiceId, SchoolId, StudentId } from '../../../src/domain/ids.js';
import { billing } from '../support/billing.js';

const UNKNOWN = '0198f0a0-0000-7000-8000-000000000001';
const NUL = 'bad\u0000text';

async function failure(promise: Promise<unknown>): Promise<{ reason?: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    return { reason: (error as { reason?: string }).reason, field: (error as { field?: string }).field };
  }
  return { reason: 'no error' };
}

describe('validation before lookups (use cases)', () => {
  const cases: [string, (b: ReturnType<typeof billing>) => Promise<unknown>, { reason: string; field: string }][] = [
    [
      'UpdateSchool: a name with NUL',
      ({ useCases }) => useCases.updateSchool.execute({ id: UNKNOWN as SchoolId, name: NUL }),
      { reason: 'INVALID_TEXT', field: 'name' },
    ],
    [
      'UpdateSchool: an offset for a timezone',
      ({ useCases }) => useCases.updateSchool.execute({ id: UNKNOWN as SchoolId, timezone: '+05:00' }),
      { reason: 'INVALID_TIMEZONE', field: 'timezone' },
    ],
    [
      'UpdateStudent: a blank last name',
      ({ useCases }) => useCases.updateStudent.execute({ id: UNKNOWN as StudentId, lastName: '   ' }),
      { reason: 'FIELD_REQUIRED', field: 'last_name' },
    ],
    [
      'UpdateStudent: an email that is not one',
      ({ useCases }) => useCases.updateStudent.execute({ id: UNKNOWN as StudentId, email: 'nobody' }),
      { reason: 'INVALID_EMAIL', field: 'email' },
    ],
    [
      'UpdateStudent: a long external ref',
      ({ useCases }) => useCases.updateStudent.execute({ id: UNKNOWN as StudentId, externalRef: 'x'.repeat(101) }),
      { reason: 'TEXT_TOO_LONG', field: 'external_ref' },
    ],
    [
      'CreateInvoice: a description with NUL',
      ({ useCases }) =>
        useCases.createInvoice.execute({
          studentId: UNKNOWN as StudentId,
          description: NUL,
          amountMinor: 100n,
          issueDate: null,
          dueDate: '2030-01-01' as CalendarDate,
          idempotencyKey: null,
        }),
      { reason: 'INVALID_TEXT', field: 'description' },
    ],
    [
      'UpdateInvoice: an empty description',
      ({ useCases }) => useCases.updateInvoice.execute({ id: UNKNOWN as InvoiceId, description: '' }),
      { reason: 'FIELD_REQUIRED', field: 'description' },
    ],
    [
      'CreatePayment: a reference with a line break',
      ({ useCases }) =>
        useCases.createPayment.execute({
          studentId: UNKNOWN as StudentId,
          amountMinor: 100n,
          paidAt: null,
          method: 'CASH',
          reference: 'a\nb',
          allocations: [],
          idempotencyKey: null,
        }),
      { reason: 'INVALID_TEXT', field: 'reference' },
    ],
    [
      'CreatePayment: paid_at before 1900',
      ({ useCases }) =>
        useCases.createPayment.execute({
          studentId: UNKNOWN as StudentId,
          amountMinor: 100n,
          paidAt: new Date('1899-12-31T00:00:00Z'),
          method: 'CASH',
          reference: '',
          allocations: [],
          idempotencyKey: null,
        }),
      { reason: 'INVALID_TIMESTAMP', field: 'paid_at' },
    ],
    [
      'CreatePayment: paid_at tomorrow',
      ({ useCases }) =>
        useCases.createPayment.execute({
          studentId: UNKNOWN as StudentId,
          amountMinor: 100n,
          paidAt: new Date('2026-03-11T12:00:00Z'),
          method: 'CASH',
          reference: '',
          allocations: [],
          idempotencyKey: null,
        }),
      { reason: 'PAID_AT_IN_FUTURE', field: 'paid_at' },
    ],
  ];
  for (const [name, call, expected] of cases) {
    it(`${name} is refused as such for an id that does not exist, not as NOT_FOUND`, async () => {
      expect(await failure(call(billing()))).to.deep.equal(expected);
    });
  }

  it('checks that need the stored row still come after the lookup', async () => {
    const b = billing();
    const student = await b.given.student();
    expect(await failure(b.useCases.updateInvoice.execute({ id: UNKNOWN as InvoiceId, dueDate: '1901-01-01' as CalendarDate }))).to.deep.equal({
      reason: 'INVOICE_NOT_FOUND',
      field: 'id',
    });
    const invoice = await b.given.invoice(student.id, 500n, '2026-04-01', { issueDate: '2026-03-01' });
    expect(await failure(b.useCases.updateInvoice.execute({ id: invoice.id, dueDate: '2026-02-01' as CalendarDate }))).to.deep.equal({
      reason: 'DUE_DATE_BEFORE_ISSUE_DATE',
      field: 'due_date',
    });
  });
});
