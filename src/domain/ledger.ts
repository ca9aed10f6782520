import { type Allocation, type AllocationRequest } from './allocation.js';
import { DomainError } from './errors.js';
import type { AllocationId, InvoiceId, PaymentId, SchoolId, StudentId } from './ids.js';
import { type Invoice, type InvoiceChanges, compareInvoiceOrder, isOpen, outstandingOf, reviseInvoice } from './invoice.js';
import { minMinor } from './money.js';
import { type Payment, compareCreditOrder, unappliedOf } from './payment.js';

/** What a ledger operation changed, for the repositories to persist in one transaction. */
export interface LedgerChanges {
  readonly newInvoices: readonly Invoice[];
  readonly newPayments: readonly Payment[];
  readonly changedInvoices: readonly Invoice[];
  readonly changedPayments: readonly Payment[];
  readonly newAllocations: readonly Allocation[];
  readonly releasedAllocations: readonly Allocation[];
}

/**
 * One student's account at one school, as far as a write needs it: the open
 * invoices, the payments holding credit, and whatever rows the write names.
 * Every money movement happens here, and every operation ends by applying
 * credit, so that after any write no credit sits idle beside an open invoice.
 *
 * The caller loads it under the student's row lock and persists `changes()`
 * in the same transaction.
 */
export class StudentLedger {
  private readonly invoices = new Map<InvoiceId, Invoice>();
  private readonly payments = new Map<PaymentId, Payment>();
  private readonly created = new Set<string>();
  private readonly touched = new Set<string>();
  private readonly allocations: Allocation[] = [];
  private readonly released: Allocation[] = [];

  constructor(
    readonly studentId: StudentId,
    readonly schoolId: SchoolId,
    rows: { readonly invoices: readonly Invoice[]; readonly payments: readonly Payment[] },
    private readonly now: Date,
    private readonly newAllocationId: () => AllocationId,
  ) {
    for (const invoice of rows.invoices) this.invoices.set(invoice.id, this.own(invoice));
    for (const payment of rows.payments) this.payments.set(payment.id, this.own(payment));
  }

  invoice(id: InvoiceId): Invoice | undefined {
    return this.invoices.get(id);
  }

  payment(id: PaymentId): Payment | undefined {
    return this.payments.get(id);
  }

  /** A new invoice; existing credit is applied to it. */
  issue(invoice: Invoice): Invoice {
    this.invoices.set(invoice.id, this.own(invoice));
    this.created.add(invoice.id);
    this.settle();
    return this.invoices.get(invoice.id)!;
  }

  /**
   * A new payment: the explicit allocations first (targets must be open
   * invoices of this ledger), then the oldest due invoices, splitting the
   * last; what is left is credit.
   */
  receive(payment: Payment, explicit: readonly AllocationRequest[]): Payment {
    this.payments.set(payment.id, this.own(payment));
    this.created.add(payment.id);
    explicit.forEach((request, index) => {
      const invoice = this.invoices.get(request.invoiceId);
      if (!invoice || !isOpen(invoice) || request.amountMinor > outstandingOf(invoice)) {
        throw new DomainError('ALLOCATION_EXCEEDS_OUTSTANDING', 'the invoice has less outstanding than allocated', `allocations[${index}].amount_minor`);
      }
      this.allocate(payment.id, request.invoiceId, request.amountMinor);
    });
    this.applyPayment(this.payments.get(payment.id)!, this.openInvoices());
    this.settle();
    return this.payments.get(payment.id)!;
  }

  revise(id: InvoiceId, changes: InvoiceChanges): Invoice {
    this.replaceInvoice(reviseInvoice(this.requireInvoice(id), changes, this.now));
    this.settle();
    return this.invoices.get(id)!;
  }

  /**
   * Voids an invoice. Its active allocations block the void unless released;
   * released amounts return to their payments as credit and are applied again.
   * Voiding a void invoice changes nothing.
   */
  void(id: InvoiceId, active: readonly Allocation[], release: boolean): Invoice {
    const invoice = this.requireInvoice(id);
    if (invoice.state === 'VOID') return invoice;
    if (active.length > 0 && !release) {
      throw new DomainError(
        'INVOICE_HAS_ALLOCATIONS',
        'the invoice has payments applied; set release_allocations to void it and turn them into credit',
        'release_allocations',
      );
    }
    for (const allocation of active) {
      const payment = this.requirePayment(allocation.paymentId);
      this.replacePayment({ ...payment, appliedMinor: payment.appliedMinor - allocation.amountMinor });
      this.release(allocation);
    }
    this.replaceInvoice({ ...invoice, appliedMinor: 0n, state: 'VOID', voidedAt: this.now });
    this.settle();
    return this.invoices.get(id)!;
  }

  /**
   * Reverses a payment: its allocations stop counting and the invoices they
   * paid reopen (and take other credit). Reversing twice changes nothing.
   */
  reverse(id: PaymentId, active: readonly Allocation[]): Payment {
    const payment = this.requirePayment(id);
    if (payment.status === 'REVERSED') return payment;
    for (const allocation of active) {
      const invoice = this.requireInvoice(allocation.invoiceId);
      this.replaceInvoice({ ...invoice, appliedMinor: invoice.appliedMinor - allocation.amountMinor });
      this.release(allocation);
    }
    this.replacePayment({ ...payment, appliedMinor: 0n, status: 'REVERSED', reversedAt: this.now });
    this.settle();
    return this.payments.get(id)!;
  }

  /** The credit rule: credit, oldest payment first, goes to open invoices in invoice order. */
  settle(): void {
    const open = this.openInvoices();
    const credit = [...this.payments.values()].filter((p) => unappliedOf(p) > 0n).sort(compareCreditOrder);
    for (const payment of credit) this.applyPayment(payment, open);
  }

  changes(): LedgerChanges {
    const created = <T extends { id: string }>(rows: Iterable<T>) => [...rows].filter((row) => this.created.has(row.id));
    const changed = <T extends { id: string }>(rows: Iterable<T>) =>
      [...rows].filter((row) => this.touched.has(row.id) && !this.created.has(row.id));
    return {
      newInvoices: created(this.invoices.values()),
      newPayments: created(this.payments.values()),
      changedInvoices: changed(this.invoices.values()),
      changedPayments: changed(this.payments.values()),
      newAllocations: [...this.allocations],
      releasedAllocations: [...this.released],
    };
  }

  private openInvoices(): Invoice[] {
    return [...this.invoices.values()].filter(isOpen).sort(compareInvoiceOrder);
  }

  /** Spends the payment's credit on `open` (in invoice order) while both last. */
  private applyPayment(payment: Payment, open: readonly Invoice[]): void {
    for (const { id } of open) {
      const credit = unappliedOf(this.payments.get(payment.id)!);
      if (credit === 0n) return;
      const outstanding = outstandingOf(this.invoices.get(id)!);
      if (outstanding > 0n) this.allocate(payment.id, id, minMinor(credit, outstanding));
    }
  }

  private allocate(paymentId: PaymentId, invoiceId: InvoiceId, amountMinor: bigint): void {
    const payment = this.requirePayment(paymentId);
    const invoice = this.requireInvoice(invoiceId);
    this.replacePayment({ ...payment, appliedMinor: payment.appliedMinor + amountMinor });
    this.replaceInvoice({ ...invoice, appliedMinor: invoice.appliedMinor + amountMinor });
    // One row per payment and invoice for a single operation.
    const index = this.allocations.findIndex((a) => a.paymentId === paymentId && a.invoiceId === invoiceId);
    const existing = this.allocations[index];
    if (existing) {
      this.allocations[index] = { ...existing, amountMinor: existing.amountMinor + amountMinor };
      return;
    }
    this.allocations.push({
      id: this.newAllocationId(),
      paymentId,
      invoiceId,
      studentId: this.studentId,
      schoolId: this.schoolId,
      amountMinor,
      createdAt: this.now,
      releasedAt: null,
    });
  }

  private release(allocation: Allocation): void {
    this.released.push({ ...allocation, releasedAt: this.now });
  }

  private replaceInvoice(invoice: Invoice): void {
    this.invoices.set(invoice.id, { ...invoice, updatedAt: this.now });
    this.touched.add(invoice.id);
  }

  private replacePayment(payment: Payment): void {
    this.payments.set(payment.id, { ...payment, updatedAt: this.now });
    this.touched.add(payment.id);
  }

  private requireInvoice(id: InvoiceId): Invoice {
    const invoice = this.invoices.get(id);
    if (!invoice) throw new Error(`ledger invariant: invoice ${id} was not loaded`);
    return invoice;
  }

  private requirePayment(id: PaymentId): Payment {
    const payment = this.payments.get(id);
    if (!payment) throw new Error(`ledger invariant: payment ${id} was not loaded`);
    return payment;
  }

  /** Rows of other students or schools never enter a ledger. */
  private own<T extends { studentId: StudentId; schoolId: SchoolId; id: string }>(row: T): T {
    if (row.studentId !== this.studentId || row.schoolId !== this.schoolId) {
      throw new Error(`ledger invariant: row ${row.id} belongs to another account`);
    }
    return row;
  }
}
