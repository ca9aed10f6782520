import { expect } from 'chai';
import type { InvoiceId, PaymentId } from '../../../src/domain/ids.js';
import { billing } from '../support/billing.js';

const reasonOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return { reason: (error as { reason?: string }).reason, field: (error as { field?: string }).field };
  }
  return { reason: 'no error' };
};

describe('payments (use cases)', () => {
  it('apply to the oldest due invoices, split the last, and keep the rest as credit', async () => {
    const { given, invoiceNow } = billing();
    const { id: studentId } = await given.student();
    const march = await given.invoice(studentId, 300n, '2026-03-31');
    const january = await given.invoice(studentId, 100n, '2026-01-31', { issueDate: '2026-01-01' });
    const february = await given.invoice(studentId, 200n, '2026-02-28', { issueDate: '2026-02-01' });

    const first = await given.pay(studentId, 250n);
    const second = await given.pay(studentId, 400n);

    expect(first.allocations.map((a) => [a.invoiceId, a.amountMinor])).to.deep.equal([
      [january.id, 100n],
      [february.id, 150n],
    ]);
    expect([first.appliedMinor, first.unappliedMinor]).to.deep.equal([250n, 0n]);
    expect([second.appliedMinor, second.unappliedMinor]).to.deep.equal([350n, 50n]);
    for (const invoice of [january, february, march]) expect((await invoiceNow(invoice.id)).status).to.equal('PAID');
  });

  it('go to the student current school', async () => {
    const { given } = billing();
    const student = await given.student();

    const payment = await given.pay(student.id, 10n);

    expect(payment.schoolId).to.equal(student.schoolId);
    expect(payment.status).to.equal('COMPLETED');
  });

  it('explain exactly why an explicit allocation cannot be made, and record nothing', async () => {
    const { given, state, useCases } = billing();
    const student = await given.student();
    const other = await given.student(student.schoolId);
    const mine = await given.invoice(student.id, 100n, '2026-04-01');
    const theirs = await given.invoice(other.id, 100n, '2026-04-01');
    const voided = await given.invoice(student.id, 100n, '2026-04-01');
    await useCases.voidInvoice.execute({ id: voided.id, releaseAllocations: false });
    const unknown = '00000000-0000-4000-8000-0000000000ff' as InvoiceId;
    const paymentsBefore = state.payments.size;

    const cases = [
      [{ invoiceId: unknown, amountMinor: 10n }, 'INVOICE_NOT_FOUND', 'allocations[0].invoice_id'],
      [{ invoiceId: theirs.id, amountMinor: 10n }, 'ALLOCATION_INVOICE_MISMATCH', 'allocations[0].invoice_id'],
      [{ invoiceId: voided.id, amountMinor: 10n }, 'INVOICE_VOID', 'allocations[0].invoice_id'],
      [{ invoiceId: mine.id, amountMinor: 101n }, 'ALLOCATION_EXCEEDS_OUTSTANDING', 'allocations[0].amount_minor'],
    ] as const;
    for (const [allocation, reason, field] of cases) {
      expect(await reasonOf(given.pay(student.id, 200n, { allocations: [allocation] }))).to.deep.equal({ reason, field });
    }
    expect(state.payments.size).to.equal(paymentsBefore);
  });

  it('are idempotent per key: a retry returns the payment as it is now, without a second one', async () => {
    const { given, state, useCases } = billing();
    const student = await given.student();
    const invoice = await given.invoice(student.id, 100n, '2026-04-01');

    const first = await given.pay(student.id, 60n, { key: 'pay-1' });
    await useCases.reversePayment.execute(first.id);
    const retry = await given.pay(student.id, 60n, { key: 'pay-1' });

    expect(retry.id).to.equal(first.id);
    expect(retry.status).to.equal('REVERSED');
    expect(state.payments.size).to.equal(1);
    expect((await useCases.getInvoice.execute(invoice.id)).appliedMinor).to.equal(0n);
  });

  it('refuse a key reused with other parameters', async () => {
    const { given } = billing();
    const student = await given.student();
    await given.pay(student.id, 60n, { key: 'pay-1' });

    expect(await reasonOf(given.pay(student.id, 61n, { key: 'pay-1' }))).to.deep.equal({
      reason: 'IDEMPOTENCY_KEY_REUSED',
      field: 'idempotency_key',
    });
  });

  it('give every concurrent duplicate the one payment', async () => {
    const { given, state } = billing();
    const student = await given.student();

    const results = await Promise.all(Array.from({ length: 20 }, () => given.pay(student.id, 75n, { key: 'same' })));

    expect(new Set(results.map((p) => p.id)).size).to.equal(1);
    expect(state.payments.size).to.equal(1);
  });

  it('are reversed by delete: invoices reopen and take other credit', async () => {
    const { given, useCases, invoiceNow } = billing();
    const student = await given.student();
    const invoice = await given.invoice(student.id, 100n, '2026-04-01');
    const paid = await given.pay(student.id, 100n, { paidAt: new Date('2026-03-01T00:00:00Z') });
    const credit = await given.pay(student.id, 30n);
    expect(credit.unappliedMinor).to.equal(30n);

    const reversed = await useCases.reversePayment.execute(paid.id);
    const again = await useCases.reversePayment.execute(paid.id);

    expect(reversed).to.include({ status: 'REVERSED', appliedMinor: 0n, unappliedMinor: 0n });
    expect(reversed.allocations).to.deep.equal([]);
    expect(again).to.deep.equal(reversed);
    expect(await invoiceNow(invoice.id)).to.include({ appliedMinor: 30n, status: 'PARTIALLY_PAID' });
    expect((await useCases.getPayment.execute(credit.id)).unappliedMinor).to.equal(0n);
  });

  it('refuse a paid_at in the future', async () => {
    const { given, clock } = billing();
    const student = await given.student();

    expect(await reasonOf(given.pay(student.id, 10n, { paidAt: new Date(clock.now().getTime() + 3_600_000) }))).to.deep.equal({
      reason: 'PAID_AT_IN_FUTURE',
      field: 'paid_at',
    });
  });

  it('are NOT_FOUND for an unknown student or payment', async () => {
    const { given, useCases } = billing();
    const unknown = '00000000-0000-4000-8000-0000000000ff';

    expect((await reasonOf(given.pay(unknown as never, 10n))).reason).to.equal('STUDENT_NOT_FOUND');
    expect((await reasonOf(useCases.getPayment.execute(unknown as PaymentId))).reason).to.equal('PAYMENT_NOT_FOUND');
    expect((await reasonOf(useCases.reversePayment.execute(unknown as PaymentId))).reason).to.equal('PAYMENT_NOT_FOUND');
  });
});
