import { expect } from 'chai';
import type { Allocation } from '../../../src/domain/allocation.js';
import type { CalendarDate } from '../../../src/domain/calendar-date.js';
import type { AllocationId, InvoiceId, PaymentId, SchoolId, StudentId } from '../../../src/domain/ids.js';
import { type Invoice, outstandingOf, statusOf } from '../../../src/domain/invoice.js';
import { StudentLedger } from '../../../src/domain/ledger.js';
import { type Payment, unappliedOf } from '../../../src/domain/payment.js';

const STUDENT = 'student' as StudentId;
const SCHOOL = 'school' as SchoolId;
const NOW = new Date('2026-03-10T12:00:00Z');

function invoice(id: string, amount: bigint, dueDate: string, extra: Partial<Invoice> = {}): Invoice {
  return {
    id: id as InvoiceId,
    schoolId: SCHOOL,
    studentId: STUDENT,
    sequence: BigInt(id.replace(/\D/g, '') || '1'),
    number: `INV-${id}`,
    description: id,
    amountMinor: amount,
    appliedMinor: 0n,
    issueDate: '2026-01-01' as CalendarDate,
    dueDate: dueDate as CalendarDate,
    state: 'ISSUED',
    idempotencyKey: null,
    requestFingerprint: null,
    createdAt: NOW,
    updatedAt: NOW,
    voidedAt: null,
    ...extra,
  };
}

function payment(id: string, amount: bigint, paidAt: string, extra: Partial<Payment> = {}): Payment {
  return {
    id: id as PaymentId,
    schoolId: SCHOOL,
    studentId: STUDENT,
    amountMinor: amount,
    appliedMinor: 0n,
    paidAt: new Date(paidAt),
    method: 'CASH',
    reference: '',
    status: 'COMPLETED',
    idempotencyKey: null,
    requestFingerprint: null,
    createdAt: NOW,
    updatedAt: NOW,
    reversedAt: null,
    ...extra,
  };
}

function ledger(invoices: Invoice[], payments: Payment[] = []) {
  let next = 0;
  return new StudentLedger(STUDENT, SCHOOL, { invoices, payments }, NOW, () => `alloc-${++next}` as AllocationId);
}

const applied = (l: StudentLedger, id: string) => l.invoice(id as InvoiceId)!.appliedMinor;

describe('StudentLedger', () => {
  describe('receiving a payment', () => {
    it('applies it to the oldest due invoice first and splits the last one', () => {
      const l = ledger([invoice('i3', 300n, '2026-03-01'), invoice('i1', 100n, '2026-01-01'), invoice('i2', 200n, '2026-02-01')]);

      const paid = l.receive(payment('p1', 250n, '2026-03-10T00:00:00Z'), []);

      expect([applied(l, 'i1'), applied(l, 'i2'), applied(l, 'i3')]).to.deep.equal([100n, 150n, 0n]);
      expect(paid.appliedMinor).to.equal(250n);
      expect(statusOf(l.invoice('i2' as InvoiceId)!)).to.equal('PARTIALLY_PAID');
      expect(l.changes().newAllocations.map((a) => [a.invoiceId, a.amountMinor])).to.deep.equal([
        ['i1', 100n],
        ['i2', 150n],
      ]);
    });

    it('orders equal due dates by issue date, then by the numeric sequence (never the number text)', () => {
      const l = ledger([
        invoice('a', 100n, '2026-02-01', { issueDate: '2026-01-05' as CalendarDate, sequence: 1000000n }),
        invoice('b', 100n, '2026-02-01', { issueDate: '2026-01-05' as CalendarDate, sequence: 999999n }),
        invoice('c', 100n, '2026-02-01', { issueDate: '2026-01-04' as CalendarDate, sequence: 5n }),
      ]);

      l.receive(payment('p', 150n, '2026-03-01T00:00:00Z'), []);

      expect([applied(l, 'c'), applied(l, 'b'), applied(l, 'a')]).to.deep.equal([100n, 50n, 0n]);
    });

    it('honours explicit allocations before the automatic ones and merges rows per invoice', () => {
      const l = ledger([invoice('i1', 100n, '2026-01-01'), invoice('i2', 200n, '2026-02-01')]);

      l.receive(payment('p1', 250n, '2026-03-10T00:00:00Z'), [{ invoiceId: 'i2' as InvoiceId, amountMinor: 120n }]);

      expect([applied(l, 'i1'), applied(l, 'i2')]).to.deep.equal([100n, 150n]);
      expect(l.changes().newAllocations.map((a) => [a.invoiceId, a.amountMinor])).to.deep.equal([
        ['i2', 150n],
        ['i1', 100n],
      ]);
    });

    it('keeps an overpayment as credit', () => {
      const l = ledger([invoice('i1', 100n, '2026-01-01')]);

      const paid = l.receive(payment('p1', 175n, '2026-03-10T00:00:00Z'), []);

      expect(unappliedOf(paid)).to.equal(75n);
      expect(statusOf(l.invoice('i1' as InvoiceId)!)).to.equal('PAID');
    });

    it('refuses an explicit allocation above the outstanding amount', () => {
      const l = ledger([invoice('i1', 100n, '2026-01-01', { appliedMinor: 60n })]);

      expect(() => l.receive(payment('p1', 50n, '2026-03-10T00:00:00Z'), [{ invoiceId: 'i1' as InvoiceId, amountMinor: 50n }]))
        .to.throw()
        .with.property('reason', 'ALLOCATION_EXCEEDS_OUTSTANDING');
    });
  });

  describe('the credit rule', () => {
    it('spends existing credit on a new invoice at once', () => {
      const l = ledger([], [payment('p1', 500n, '2026-01-01T00:00:00Z', { appliedMinor: 100n })]);

      const issued = l.issue(invoice('i9', 300n, '2026-04-01'));

      expect(issued.appliedMinor).to.equal(300n);
      expect(unappliedOf(l.payment('p1' as PaymentId)!)).to.equal(100n);
      expect(l.changes().newInvoices).to.have.length(1);
      expect(l.changes().changedPayments).to.have.length(1);
    });

    it('spends the oldest payment first: paid_at, then creation time, then id', () => {
      const early = new Date('2026-01-01T00:00:00Z');
      const l = ledger(
        [],
        [
          payment('p-b', 100n, '2026-02-01T00:00:00Z'),
          payment('p-c', 100n, '2026-01-01T00:00:00Z', { createdAt: NOW }),
          payment('p-a', 100n, '2026-01-01T00:00:00Z', { createdAt: early }),
        ],
      );

      l.issue(invoice('i1', 150n, '2026-04-01'));

      expect(unappliedOf(l.payment('p-a' as PaymentId)!)).to.equal(0n);
      expect(unappliedOf(l.payment('p-c' as PaymentId)!)).to.equal(50n);
      expect(unappliedOf(l.payment('p-b' as PaymentId)!)).to.equal(100n);
    });

    it('applies credit when an invoice amount goes up', () => {
      const l = ledger([invoice('i1', 100n, '2026-01-01', { appliedMinor: 100n })], [payment('p1', 150n, '2026-01-01T00:00:00Z', { appliedMinor: 100n })]);

      const revised = l.revise('i1' as InvoiceId, { amountMinor: 130n });

      expect(revised.appliedMinor).to.equal(130n);
      expect(unappliedOf(l.payment('p1' as PaymentId)!)).to.equal(20n);
    });
  });

  describe('voiding', () => {
    const paidInvoice = () => {
      const l = ledger([invoice('i1', 100n, '2026-01-01'), invoice('i2', 100n, '2026-02-01')]);
      l.receive(payment('p1', 100n, '2026-03-10T00:00:00Z'), []);
      const allocation = l.changes().newAllocations[0]!;
      // Start a fresh ledger as a later write would see it.
      const stored = ledger([{ ...l.invoice('i1' as InvoiceId)! }, { ...l.invoice('i2' as InvoiceId)! }], [{ ...l.payment('p1' as PaymentId)! }]);
      return { l: stored, allocation };
    };

    it('refuses while payments are applied, unless they are released', () => {
      const { l, allocation } = paidInvoice();

      expect(() => l.void('i1' as InvoiceId, [allocation], false))
        .to.throw()
        .with.property('reason', 'INVOICE_HAS_ALLOCATIONS');
    });

    it('turns released allocations into credit and applies it to the next open invoice', () => {
      const { l, allocation } = paidInvoice();

      const voided = l.void('i1' as InvoiceId, [allocation], true);

      expect(voided.state).to.equal('VOID');
      expect(outstandingOf(voided)).to.equal(0n);
      expect(applied(l, 'i2')).to.equal(100n);
      expect(l.payment('p1' as PaymentId)!.appliedMinor).to.equal(100n);
      const changes = l.changes();
      expect(changes.releasedAllocations.map((a) => [a.id, a.releasedAt])).to.deep.equal([[allocation.id, NOW]]);
      expect(changes.newAllocations.map((a) => [a.invoiceId, a.amountMinor])).to.deep.equal([['i2', 100n]]);
    });

    it('leaves a void invoice unchanged when voided again', () => {
      const l = ledger([invoice('i1', 100n, '2026-01-01', { state: 'VOID', voidedAt: NOW })]);

      l.void('i1' as InvoiceId, [], false);

      const changes = l.changes();
      expect(changes.changedInvoices).to.deep.equal([]);
      expect(changes.releasedAllocations).to.deep.equal([]);
    });
  });

  describe('reversing a payment', () => {
    it('reopens the invoices it paid, which then take other credit', () => {
      const first = ledger([invoice('i1', 100n, '2026-01-01')]);
      first.receive(payment('p1', 100n, '2026-01-10T00:00:00Z'), []);
      const allocation: Allocation = first.changes().newAllocations[0]!;
      const l = ledger(
        [{ ...first.invoice('i1' as InvoiceId)! }],
        [{ ...first.payment('p1' as PaymentId)! }, payment('p2', 40n, '2026-02-01T00:00:00Z')],
      );

      const reversed = l.reverse('p1' as PaymentId, [allocation]);

      expect(reversed.status).to.equal('REVERSED');
      expect([reversed.appliedMinor, unappliedOf(reversed)]).to.deep.equal([0n, 0n]);
      expect(applied(l, 'i1')).to.equal(40n);
      expect(unappliedOf(l.payment('p2' as PaymentId)!)).to.equal(0n);
    });

    it('changes nothing when the payment is already reversed', () => {
      const l = ledger([], [payment('p1', 100n, '2026-01-10T00:00:00Z', { status: 'REVERSED', reversedAt: NOW })]);

      l.reverse('p1' as PaymentId, []);

      expect(l.changes().changedPayments).to.deep.equal([]);
    });
  });

  it('never admits rows of another account', () => {
    expect(() => ledger([invoice('i1', 100n, '2026-01-01', { studentId: 'other' as StudentId })])).to.throw(/another account/);
  });
});
