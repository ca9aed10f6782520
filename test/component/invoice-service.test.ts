import { Code } from '@connectrpc/connect';
import { expect } from 'chai';
import { InvoiceStatus } from '../../src/gen/billing/v1/invoice_pb.js';
import { type GrpcHarness, describeEachBackend, expectError, given } from '../support/grpc-harness.js';

const UNKNOWN = '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22';

// The fake clock reads 2026-03-10T12:00:00Z; schools are in UTC.
describeEachBackend('gRPC InvoiceService', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));
  let schoolId: string;
  let studentId: string;
  beforeEach(async () => {
    schoolId = (await given(h).school()).id;
    studentId = (await given(h).student(schoolId)).id;
  });

  it('issues an invoice numbered per school, dated today by default', async () => {
    const { invoice } = await h.invoices.createInvoice({ studentId, description: 'Tuition', amountMinor: 150_000n, dueDate: '2026-04-01' });
    expect(invoice).to.include({
      number: 'INV-000001',
      schoolId,
      studentId,
      description: 'Tuition',
      amountMinor: 150_000n,
      issueDate: '2026-03-10',
      dueDate: '2026-04-01',
      appliedMinor: 0n,
      outstandingMinor: 150_000n,
      status: InvoiceStatus.UNPAID,
      overdue: false,
      daysOverdue: 0,
      idempotencyKey: '',
    });
    expect((await h.invoices.getInvoice({ id: invoice!.id })).invoice).to.deep.equal(invoice);
    const second = await given(h).invoice(studentId, 1n, '2026-04-01');
    expect(second.number).to.equal('INV-000002');
  });

  it('accepts the largest amount, 10^12 minor units', async () => {
    const invoice = await given(h).invoice(studentId, 1_000_000_000_000n, '2026-04-01');
    expect(invoice.amountMinor).to.equal(1_000_000_000_000n);
  });

  it('reports overdue days as of today at the school', async () => {
    const invoice = await given(h).invoice(studentId, 500n, '2026-03-05', { issueDate: '2026-03-01' });
    expect(invoice).to.include({ overdue: true, daysOverdue: 5 });
  });

  it('spends existing credit on a new invoice at once', async () => {
    await given(h).pay(studentId, 300n);
    const invoice = await given(h).invoice(studentId, 200n, '2026-04-01');
    expect(invoice).to.include({ status: InvoiceStatus.PAID, appliedMinor: 200n, outstandingMinor: 0n });
  });

  it('returns the first invoice when retried with the same key and fields', async () => {
    const request = { studentId, description: 'Books', amountMinor: 900n, dueDate: '2026-04-01', idempotencyKey: 'inv-1' };
    const first = (await h.invoices.createInvoice(request)).invoice!;
    const before = await h.snapshot();
    const retry = (await h.invoices.createInvoice(request)).invoice!;
    expect(retry).to.deep.equal(first);
    expect(retry.idempotencyKey).to.equal('inv-1');
    expect(await h.snapshot()).to.equal(before);
  });

  it('lists by student or by school, in invoice order, filtered by status, a page at a time', async () => {
    const late = await given(h).invoice(studentId, 100n, '2026-05-01');
    const early = await given(h).invoice(studentId, 100n, '2026-03-20');
    const voided = await given(h).invoice(studentId, 100n, '2026-04-15');
    await h.invoices.deleteInvoice({ id: voided.id });
    const other = await given(h).student(schoolId, { firstName: 'Bo' });
    const theirs = await given(h).invoice(other.id, 100n, '2026-03-25');

    const first = await h.invoices.listInvoices({ studentId, pageSize: 2 });
    expect(first.invoices.map((i) => i.id)).to.deep.equal([early.id, voided.id]);
    const rest = await h.invoices.listInvoices({ studentId, pageSize: 2, pageToken: first.nextPageToken });
    expect(rest.invoices.map((i) => i.id)).to.deep.equal([late.id]);
    expect(rest.nextPageToken).to.equal('');

    const bySchool = await h.invoices.listInvoices({ schoolId });
    expect(bySchool.invoices.map((i) => i.id)).to.deep.equal([early.id, theirs.id, voided.id, late.id]);
    const onlyVoid = await h.invoices.listInvoices({ schoolId, status: InvoiceStatus.VOID });
    expect(onlyVoid.invoices.map((i) => [i.id, i.status])).to.deep.equal([[voided.id, InvoiceStatus.VOID]]);
  });

  it('updates only the fields that are set', async () => {
    const invoice = await given(h).invoice(studentId, 1000n, '2026-04-01');
    const described = (await h.invoices.updateInvoice({ id: invoice.id, description: 'Tuition, March' })).invoice!;
    expect(described).to.include({ description: 'Tuition, March', amountMinor: 1000n, dueDate: '2026-04-01' });
    const changed = (await h.invoices.updateInvoice({ id: invoice.id, amountMinor: 1200n, dueDate: '2026-04-30' })).invoice!;
    expect(changed).to.include({ description: 'Tuition, March', amountMinor: 1200n, dueDate: '2026-04-30', outstandingMinor: 1200n });
  });

  it('voids an unpaid invoice, and a second void returns it unchanged', async () => {
    const invoice = await given(h).invoice(studentId, 1000n, '2026-04-01');
    const voided = (await h.invoices.deleteInvoice({ id: invoice.id })).invoice!;
    expect(voided).to.include({ status: InvoiceStatus.VOID, outstandingMinor: 0n });
    expect((await h.invoices.deleteInvoice({ id: invoice.id })).invoice).to.deep.equal(voided);
  });

  it('voids a paid invoice with release_allocations; the payment becomes credit for the next invoice', async () => {
    const paid = await given(h).invoice(studentId, 400n, '2026-04-01');
    const open = await given(h).invoice(studentId, 1000n, '2026-05-01');
    const payment = await given(h).pay(studentId, 400n);
    expect(payment.allocations).to.deep.include({ $typeName: 'billing.v1.Allocation', invoiceId: paid.id, amountMinor: 400n });
    const voided = (await h.invoices.deleteInvoice({ id: paid.id, releaseAllocations: true })).invoice!;
    expect(voided).to.include({ status: InvoiceStatus.VOID, appliedMinor: 0n });
    expect((await h.invoices.getInvoice({ id: open.id })).invoice).to.include({ appliedMinor: 400n, status: InvoiceStatus.PARTIALLY_PAID });
  });

  describe('rejects, changing nothing', () => {
    let paidId: string;
    let voidId: string;
    beforeEach(async () => {
      paidId = (await given(h).invoice(studentId, 1000n, '2026-04-01')).id;
      await given(h).pay(studentId, 600n);
      voidId = (await given(h).invoice(studentId, 50n, '2026-04-02')).id;
      await h.invoices.deleteInvoice({ id: voidId });
      await h.invoices.createInvoice({ studentId, description: 'Fees', amountMinor: 10n, dueDate: '2026-04-01', idempotencyKey: 'k-1' });
    });
    const create = (init: Record<string, unknown>) =>
      h.invoices.createInvoice({ studentId, description: 'Tuition', amountMinor: 100n, dueDate: '2026-04-01', ...init });
    const cases: [string, () => Promise<unknown>, Code, string, string | null][] = [
      ['a zero amount', () => create({ amountMinor: 0n }), Code.InvalidArgument, 'INVALID_AMOUNT', 'amount_minor'],
      ['a negative amount', () => create({ amountMinor: -5n }), Code.InvalidArgument, 'INVALID_AMOUNT', 'amount_minor'],
      ['an amount above 10^12', () => create({ amountMinor: 1_000_000_000_001n }), Code.InvalidArgument, 'INVALID_AMOUNT', 'amount_minor'],
      ['a day that does not exist', () => create({ dueDate: '2026-02-30' }), Code.InvalidArgument, 'INVALID_DATE', 'due_date'],
      ['a date in another shape', () => create({ issueDate: '10/03/2026' }), Code.InvalidArgument, 'INVALID_DATE', 'issue_date'],
      ['no due date', () => create({ dueDate: '' }), Code.InvalidArgument, 'FIELD_REQUIRED', 'due_date'],
      ['a due date before the issue date', () => create({ issueDate: '2026-03-05', dueDate: '2026-03-01' }), Code.InvalidArgument, 'DUE_DATE_BEFORE_ISSUE_DATE', 'due_date'],
      ['an issue date in the future', () => create({ issueDate: '2026-03-11', dueDate: '2026-04-01' }), Code.InvalidArgument, 'ISSUE_DATE_IN_FUTURE', 'issue_date'],
      ['NUL in the description', () => create({ description: 'Tui\u0000tion' }), Code.InvalidArgument, 'INVALID_TEXT', 'description'],
      ['a non-ASCII idempotency key', () => create({ idempotencyKey: 'clé' }), Code.InvalidArgument, 'INVALID_IDEMPOTENCY_KEY', 'idempotency_key'],
      ['a bad student UUID', () => create({ studentId: '1234' }), Code.InvalidArgument, 'INVALID_UUID', 'student_id'],
      ['an unknown student', () => create({ studentId: UNKNOWN }), Code.NotFound, 'STUDENT_NOT_FOUND', 'student_id'],
      ['a key reused for other fields', () => create({ idempotencyKey: 'k-1' }), Code.FailedPrecondition, 'IDEMPOTENCY_KEY_REUSED', 'idempotency_key'],
      ['an unknown invoice', () => h.invoices.getInvoice({ id: UNKNOWN }), Code.NotFound, 'INVOICE_NOT_FOUND', 'id'],
      ['listing by student and school', () => h.invoices.listInvoices({ studentId, schoolId }), Code.InvalidArgument, 'INVALID_FILTER', 'student_id'],
      ['listing by neither', () => h.invoices.listInvoices({}), Code.InvalidArgument, 'INVALID_FILTER', 'student_id'],
      ['listing a bad school UUID', () => h.invoices.listInvoices({ schoolId: 'x' }), Code.InvalidArgument, 'INVALID_UUID', 'school_id'],
      ['listing an unknown student', () => h.invoices.listInvoices({ studentId: UNKNOWN }), Code.NotFound, 'STUDENT_NOT_FOUND', 'student_id'],
      ['listing by an unknown status', () => h.invoices.listInvoices({ studentId, status: 12 as InvoiceStatus }), Code.InvalidArgument, 'INVALID_ENUM', 'status'],
      ['lowering the amount below what is applied', () => h.invoices.updateInvoice({ id: paidId, amountMinor: 599n }), Code.FailedPrecondition, 'INVOICE_AMOUNT_BELOW_APPLIED', 'amount_minor'],
      ['a zero amount on update', () => h.invoices.updateInvoice({ id: paidId, amountMinor: 0n }), Code.InvalidArgument, 'INVALID_AMOUNT', 'amount_minor'],
      ['a bad due date on update', () => h.invoices.updateInvoice({ id: paidId, dueDate: '2026-4-1' }), Code.InvalidArgument, 'INVALID_DATE', 'due_date'],
      ['NUL in a new description', () => h.invoices.updateInvoice({ id: paidId, description: '\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'description'],
      ['changing a void invoice', () => h.invoices.updateInvoice({ id: voidId, description: 'x' }), Code.FailedPrecondition, 'INVOICE_VOID', 'id'],
      ['updating an unknown invoice', () => h.invoices.updateInvoice({ id: UNKNOWN, description: 'x' }), Code.NotFound, 'INVOICE_NOT_FOUND', 'id'],
      ['voiding a paid invoice without release', () => h.invoices.deleteInvoice({ id: paidId }), Code.FailedPrecondition, 'INVOICE_HAS_ALLOCATIONS', 'release_allocations'],
      ['voiding an unknown invoice', () => h.invoices.deleteInvoice({ id: UNKNOWN }), Code.NotFound, 'INVOICE_NOT_FOUND', 'id'],
    ];
    for (const [name, call, code, reason, field] of cases) {
      it(`${name}: ${Code[code]} ${reason}`, async () => {
        const before = await h.snapshot();
        await expectError(call(), { code, reason, field });
        expect(await h.snapshot()).to.equal(before);
      });
    }
  });
});
