import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { expect } from 'chai';
import { InvoiceStatus } from '../../src/gen/billing/v1/invoice_pb.js';
import { PaymentMethod, PaymentStatus } from '../../src/gen/billing/v1/payment_pb.js';
import { type GrpcHarness, describeEachBackend, expectError, given } from '../support/grpc-harness.js';

const UNKNOWN = '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22';
const NOW = new Date('2026-03-10T12:00:00Z');

const allocation = (invoiceId: string, amountMinor: bigint) => ({ invoiceId, amountMinor });

describeEachBackend('gRPC PaymentService', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));
  let schoolId: string;
  let studentId: string;
  beforeEach(async () => {
    schoolId = (await given(h).school()).id;
    studentId = (await given(h).student(schoolId)).id;
  });

  it('applies a payment to the oldest due invoices, splitting the last, and keeps the rest as credit', async () => {
    const later = await given(h).invoice(studentId, 500n, '2026-04-01');
    const older = await given(h).invoice(studentId, 300n, '2026-03-20');
    const { payment } = await h.payments.createPayment({
      studentId,
      amountMinor: 1000n,
      method: PaymentMethod.BANK_TRANSFER,
      reference: 'TX-1',
    });
    expect(payment).to.include({
      schoolId,
      studentId,
      amountMinor: 1000n,
      method: PaymentMethod.BANK_TRANSFER,
      reference: 'TX-1',
      appliedMinor: 800n,
      unappliedMinor: 200n,
      status: PaymentStatus.COMPLETED,
      idempotencyKey: '',
    });
    expect(payment!.paidAt).to.deep.equal(timestampFromDate(NOW));
    expect(payment!.allocations.map((a) => [a.invoiceId, a.amountMinor])).to.deep.equal([
      [older.id, 300n],
      [later.id, 500n],
    ]);
    expect((await h.payments.getPayment({ id: payment!.id })).payment).to.deep.equal(payment);
    expect((await h.invoices.getInvoice({ id: later.id })).invoice!.status).to.equal(InvoiceStatus.PAID);
  });

  it('honours explicit allocations first and a paid_at in the past', async () => {
    const older = await given(h).invoice(studentId, 300n, '2026-03-20');
    const later = await given(h).invoice(studentId, 500n, '2026-04-01');
    const paidAt = new Date('2026-03-09T08:30:00.123Z');
    const { payment } = await h.payments.createPayment({
      studentId,
      amountMinor: 600n,
      paidAt: timestampFromDate(paidAt),
      method: PaymentMethod.CARD,
      allocations: [allocation(later.id, 500n)],
    });
    expect(payment!.paidAt).to.deep.equal(timestampFromDate(paidAt));
    expect(payment!.allocations.map((a) => [a.invoiceId, a.amountMinor])).to.deep.equal([
      [later.id, 500n],
      [older.id, 100n],
    ]);
  });

  it('returns the payment as it is now when retried with the same key and fields', async () => {
    await given(h).invoice(studentId, 300n, '2026-03-20');
    const request = { studentId, amountMinor: 100n, method: PaymentMethod.CASH, idempotencyKey: 'pay-1' };
    const first = (await h.payments.createPayment(request)).payment!;
    const before = await h.snapshot();
    const retry = (await h.payments.createPayment(request)).payment!;
    expect(retry).to.deep.equal(first);
    expect(retry.idempotencyKey).to.equal('pay-1');
    expect(await h.snapshot()).to.equal(before);
  });

  it('reverses a payment: no allocations, nothing applied, the invoice reopens; a second reversal changes nothing', async () => {
    const invoice = await given(h).invoice(studentId, 300n, '2026-03-20');
    const payment = await given(h).pay(studentId, 300n);
    const reversed = (await h.payments.deletePayment({ id: payment.id })).payment!;
    expect(reversed).to.include({ status: PaymentStatus.REVERSED, appliedMinor: 0n, unappliedMinor: 0n });
    expect(reversed.allocations).to.deep.equal([]);
    expect((await h.invoices.getInvoice({ id: invoice.id })).invoice).to.include({ status: InvoiceStatus.UNPAID, outstandingMinor: 300n });
    expect((await h.payments.deletePayment({ id: payment.id })).payment).to.deep.equal(reversed);
  });

  it('lists by student or by school, newest first, filtered by status, a page at a time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await given(h).pay(studentId, 10n)).id);
      h.clock.advance(1000);
    }
    await h.payments.deletePayment({ id: ids[0]! });
    const other = await given(h).student(schoolId, { firstName: 'Bo' });
    const theirs = await given(h).pay(other.id, 10n);

    const first = await h.payments.listPayments({ studentId, pageSize: 2 });
    expect(first.payments.map((p) => p.id)).to.deep.equal([ids[2], ids[1]]);
    const rest = await h.payments.listPayments({ studentId, pageSize: 2, pageToken: first.nextPageToken });
    expect(rest.payments.map((p) => p.id)).to.deep.equal([ids[0]]);
    expect(rest.nextPageToken).to.equal('');
    expect((await h.payments.listPayments({ schoolId })).payments.map((p) => p.id)).to.deep.equal([theirs.id, ids[2], ids[1], ids[0]]);
    const reversed = await h.payments.listPayments({ schoolId, status: PaymentStatus.REVERSED });
    expect(reversed.payments.map((p) => p.id)).to.deep.equal([ids[0]]);
  });

  describe('rejects, changing nothing', () => {
    let openId: string;
    let otherOpenId: string;
    let voidId: string;
    let paymentId: string;
    beforeEach(async () => {
      openId = (await given(h).invoice(studentId, 1000n, '2026-04-01')).id;
      voidId = (await given(h).invoice(studentId, 50n, '2026-04-02')).id;
      await h.invoices.deleteInvoice({ id: voidId });
      const other = await given(h).student(schoolId, { firstName: 'Bo' });
      otherOpenId = (await given(h).invoice(other.id, 100n, '2026-04-01')).id;
      paymentId = (await h.payments.createPayment({ studentId, amountMinor: 5n, method: PaymentMethod.CASH, idempotencyKey: 'k-1' })).payment!.id;
    });
    const create = (init: Record<string, unknown>) =>
      h.payments.createPayment({ studentId, amountMinor: 100n, method: PaymentMethod.CASH, ...init });
    const cases: [string, () => Promise<unknown>, Code, string, string | null][] = [
      ['a zero amount', () => create({ amountMinor: 0n }), Code.InvalidArgument, 'INVALID_AMOUNT', 'amount_minor'],
      ['an amount above 10^12', () => create({ amountMinor: 10n ** 12n + 1n }), Code.InvalidArgument, 'INVALID_AMOUNT', 'amount_minor'],
      ['no method', () => create({ method: PaymentMethod.UNSPECIFIED }), Code.InvalidArgument, 'INVALID_ENUM', 'method'],
      ['an unknown method value', () => create({ method: 99 as PaymentMethod }), Code.InvalidArgument, 'INVALID_ENUM', 'method'],
      ['NUL in the reference', () => create({ reference: 'R\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'reference'],
      ['nanos out of range in paid_at', () => create({ paidAt: { seconds: 1_773_000_000n, nanos: 1_000_000_000 } }), Code.InvalidArgument, 'INVALID_TIMESTAMP', 'paid_at'],
      ['negative nanos in paid_at', () => create({ paidAt: { seconds: 1_773_000_000n, nanos: -1 } }), Code.InvalidArgument, 'INVALID_TIMESTAMP', 'paid_at'],
      ['seconds past year 9999 in paid_at', () => create({ paidAt: { seconds: 253_402_300_800n } }), Code.InvalidArgument, 'INVALID_TIMESTAMP', 'paid_at'],
      ['paid_at before 1900', () => create({ paidAt: timestampFromDate(new Date('1899-12-31T00:00:00Z')) }), Code.InvalidArgument, 'INVALID_TIMESTAMP', 'paid_at'],
      ['paid_at in the future', () => create({ paidAt: timestampFromDate(new Date('2026-03-10T12:06:00Z')) }), Code.InvalidArgument, 'PAID_AT_IN_FUTURE', 'paid_at'],
      ['a bad allocation invoice UUID', () => create({ allocations: [allocation('nope', 1n)] }), Code.InvalidArgument, 'INVALID_UUID', 'allocations[0].invoice_id'],
      ['a zero allocation', () => create({ allocations: [allocation(openId, 0n)] }), Code.InvalidArgument, 'INVALID_AMOUNT', 'allocations[0].amount_minor'],
      ['an allocation above 10^12', () => create({ amountMinor: 10n ** 12n, allocations: [allocation(openId, 10n ** 12n + 1n)] }), Code.InvalidArgument, 'INVALID_AMOUNT', 'allocations[0].amount_minor'],
      ['a duplicate allocation target', () => create({ allocations: [allocation(openId, 10n), allocation(openId, 20n)] }), Code.InvalidArgument, 'DUPLICATE_ALLOCATION_TARGET', 'allocations[1].invoice_id'],
      ['allocations above the payment', () => create({ allocations: [allocation(openId, 101n)] }), Code.InvalidArgument, 'ALLOCATIONS_EXCEED_PAYMENT', 'allocations'],
      ['an unknown allocation target', () => create({ allocations: [allocation(openId, 1n), allocation(UNKNOWN, 1n)] }), Code.NotFound, 'INVOICE_NOT_FOUND', 'allocations[1].invoice_id'],
      ['another student\'s invoice', () => create({ allocations: [allocation(otherOpenId, 1n)] }), Code.FailedPrecondition, 'ALLOCATION_INVOICE_MISMATCH', 'allocations[0].invoice_id'],
      ['a void invoice', () => create({ allocations: [allocation(voidId, 1n)] }), Code.FailedPrecondition, 'INVOICE_VOID', 'allocations[0].invoice_id'],
      ['more than the outstanding amount', () => create({ amountMinor: 2000n, allocations: [allocation(openId, 1001n)] }), Code.FailedPrecondition, 'ALLOCATION_EXCEEDS_OUTSTANDING', 'allocations[0].amount_minor'],
      ['an unknown student', () => create({ studentId: UNKNOWN }), Code.NotFound, 'STUDENT_NOT_FOUND', 'student_id'],
      ['a key reused for other fields', () => create({ idempotencyKey: 'k-1' }), Code.FailedPrecondition, 'IDEMPOTENCY_KEY_REUSED', 'idempotency_key'],
      ['a control character in the key', () => create({ idempotencyKey: 'k\u0000' }), Code.InvalidArgument, 'INVALID_IDEMPOTENCY_KEY', 'idempotency_key'],
      ['an unknown payment', () => h.payments.getPayment({ id: UNKNOWN }), Code.NotFound, 'PAYMENT_NOT_FOUND', 'id'],
      ['a bad payment UUID', () => h.payments.getPayment({ id: paymentId + 'x' }), Code.InvalidArgument, 'INVALID_UUID', 'id'],
      ['listing by neither', () => h.payments.listPayments({}), Code.InvalidArgument, 'INVALID_FILTER', 'student_id'],
      ['listing an unknown school', () => h.payments.listPayments({ schoolId: UNKNOWN }), Code.NotFound, 'SCHOOL_NOT_FOUND', 'school_id'],
      ['listing by an unknown status', () => h.payments.listPayments({ studentId, status: 3 as PaymentStatus }), Code.InvalidArgument, 'INVALID_ENUM', 'status'],
      ['reversing an unknown payment', () => h.payments.deletePayment({ id: UNKNOWN }), Code.NotFound, 'PAYMENT_NOT_FOUND', 'id'],
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
