import { expect } from 'chai';
import type { CalendarDate } from '../../../src/domain/calendar-date.js';
import type { InvoiceId } from '../../../src/domain/ids.js';
import { billing } from '../support/billing.js';

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return { reason: (error as { reason?: string }).reason, field: (error as { field?: string }).field };
  }
  return { reason: 'no error' };
};

describe('invoices (use cases)', () => {
  it('are numbered per school, increasing', async () => {
    const { given } = billing();
    const a = await given.student();
    const b = await given.student();

    const numbers = [
      (await given.invoice(a.id, 10n, '2026-04-01')).number,
      (await given.invoice(a.id, 10n, '2026-04-01')).number,
      (await given.invoice(b.id, 10n, '2026-04-01')).number,
    ];

    expect(numbers).to.deep.equal(['INV-000001', 'INV-000002', 'INV-000001']);
  });

  it('are issued today in the school timezone by default', async () => {
    // 03:00 UTC on 10 March is still 9 March in Bogota.
    const { given } = billing('2026-03-10T03:00:00Z');
    const school = await given.school({ timezone: 'America/Bogota' });
    const student = await given.student(school.id);

    const invoice = await given.invoice(student.id, 10n, '2026-04-01');

    expect(invoice.issueDate).to.equal('2026-03-09');
  });

  it('consume existing credit when created', async () => {
    const { given, useCases } = billing();
    const student = await given.student();
    const credit = await given.pay(student.id, 500n);

    const invoice = await given.invoice(student.id, 300n, '2026-04-01');

    expect(invoice).to.include({ appliedMinor: 300n, outstandingMinor: 0n, status: 'PAID' });
    expect((await useCases.getPayment.execute(credit.id)).unappliedMinor).to.equal(200n);
  });

  it('may not drop below what is applied', async () => {
    const { given, useCases, invoiceNow } = billing();
    const student = await given.student();
    const invoice = await given.invoice(student.id, 1000n, '2026-04-01');
    await given.pay(student.id, 600n);

    expect(await failure(useCases.updateInvoice.execute({ id: invoice.id, amountMinor: 599n }))).to.deep.equal({
      reason: 'INVOICE_AMOUNT_BELOW_APPLIED',
      field: 'amount_minor',
    });
    expect((await invoiceNow(invoice.id)).amountMinor).to.equal(1000n);
    const settled = await useCases.updateInvoice.execute({ id: invoice.id, amountMinor: 600n, description: 'Tuition (discounted)' });
    expect(settled).to.include({ status: 'PAID', description: 'Tuition (discounted)' });
  });

  it('take credit when their amount goes up', async () => {
    const { given, useCases } = billing();
    const student = await given.student();
    const invoice = await given.invoice(student.id, 100n, '2026-04-01');
    await given.pay(student.id, 150n);

    const raised = await useCases.updateInvoice.execute({ id: invoice.id, amountMinor: 200n });

    expect(raised).to.include({ appliedMinor: 150n, outstandingMinor: 50n, status: 'PARTIALLY_PAID' });
  });

  it('keep their due date on or after the issue date when edited', async () => {
    const { given, useCases } = billing();
    const student = await given.student();
    const invoice = await given.invoice(student.id, 100n, '2026-04-01', { issueDate: '2026-03-01' });

    expect(await failure(useCases.updateInvoice.execute({ id: invoice.id, dueDate: '2026-02-28' as CalendarDate }))).to.deep.equal({
      reason: 'DUE_DATE_BEFORE_ISSUE_DATE',
      field: 'due_date',
    });
  });

  describe('deleting (voiding)', () => {
    it('is refused while payments are applied', async () => {
      const { given, useCases, invoiceNow } = billing();
      const student = await given.student();
      const invoice = await given.invoice(student.id, 100n, '2026-04-01');
      await given.pay(student.id, 40n);

      expect(await failure(useCases.voidInvoice.execute({ id: invoice.id, releaseAllocations: false }))).to.deep.equal({
        reason: 'INVOICE_HAS_ALLOCATIONS',
        field: 'release_allocations',
      });
      expect((await invoiceNow(invoice.id)).status).to.equal('PARTIALLY_PAID');
    });

    it('with release turns the applied money into credit, applied to the next open invoice', async () => {
      const { given, useCases, invoiceNow } = billing();
      const student = await given.student();
      const first = await given.invoice(student.id, 100n, '2026-04-01');
      const second = await given.invoice(student.id, 100n, '2026-05-01');
      const payment = await given.pay(student.id, 150n);

      const voided = await useCases.voidInvoice.execute({ id: first.id, releaseAllocations: true });

      expect(voided).to.include({ status: 'VOID', appliedMinor: 0n, outstandingMinor: 0n, overdue: false });
      expect(await invoiceNow(second.id)).to.include({ appliedMinor: 100n, status: 'PAID' });
      const after = await useCases.getPayment.execute(payment.id);
      expect(after).to.include({ appliedMinor: 100n, unappliedMinor: 50n, status: 'COMPLETED' });
      expect(after.allocations.map((a) => a.invoiceId)).to.deep.equal([second.id]);
    });

    it('twice returns the void invoice unchanged', async () => {
      const { given, useCases } = billing();
      const student = await given.student();
      const invoice = await given.invoice(student.id, 100n, '2026-04-01');

      const first = await useCases.voidInvoice.execute({ id: invoice.id, releaseAllocations: false });
      const second = await useCases.voidInvoice.execute({ id: invoice.id, releaseAllocations: true });

      expect(second).to.deep.equal(first);
    });

    it('leaves void invoices immutable', async () => {
      const { given, useCases } = billing();
      const student = await given.student();
      const invoice = await given.invoice(student.id, 100n, '2026-04-01');
      await useCases.voidInvoice.execute({ id: invoice.id, releaseAllocations: false });

      expect((await failure(useCases.updateInvoice.execute({ id: invoice.id, description: 'x' }))).reason).to.equal('INVOICE_VOID');
    });
  });

  it('are idempotent per key and refuse a key reused for another invoice', async () => {
    const { given, state } = billing();
    const student = await given.student();

    const first = await given.invoice(student.id, 100n, '2026-04-01', { key: 'inv-1' });
    const retry = await given.invoice(student.id, 100n, '2026-04-01', { key: 'inv-1' });

    expect(retry.id).to.equal(first.id);
    expect(state.invoices.size).to.equal(1);
    expect(await failure(given.invoice(student.id, 101n, '2026-04-01', { key: 'inv-1' }))).to.deep.equal({
      reason: 'IDEMPOTENCY_KEY_REUSED',
      field: 'idempotency_key',
    });
  });

  it('list by student or by school, never both, and every status by default', async () => {
    const { given, useCases } = billing();
    const student = await given.student();
    const paid = await given.invoice(student.id, 100n, '2026-04-01');
    const voided = await given.invoice(student.id, 100n, '2026-05-01');
    await given.pay(student.id, 100n);
    await useCases.voidInvoice.execute({ id: voided.id, releaseAllocations: false });
    const page = { size: 100, token: null };

    const all = await useCases.listInvoices.execute({ studentId: student.id, schoolId: null, status: null }, page);
    const onlyVoid = await useCases.listInvoices.execute({ studentId: null, schoolId: student.schoolId, status: 'VOID' }, page);

    expect(all.items.map((i) => [i.id, i.status])).to.deep.equal([
      [paid.id, 'PAID'],
      [voided.id, 'VOID'],
    ]);
    expect(onlyVoid.items.map((i) => i.id)).to.deep.equal([voided.id]);
    expect((await failure(useCases.listInvoices.execute({ studentId: student.id, schoolId: student.schoolId, status: null }, page))).reason).to.equal(
      'INVALID_FILTER',
    );
  });

  it('are NOT_FOUND for an unknown id', async () => {
    const { useCases } = billing();
    const unknown = '00000000-0000-4000-8000-0000000000ff' as InvoiceId;

    expect((await failure(useCases.getInvoice.execute(unknown))).reason).to.equal('INVOICE_NOT_FOUND');
    expect((await failure(useCases.voidInvoice.execute({ id: unknown, releaseAllocations: true }))).reason).to.equal('INVOICE_NOT_FOUND');
  });
});
