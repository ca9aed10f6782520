/**
 * An independent model of SPEC §3 money rules, written from the spec and not
 * from the production allocator: it keeps a payment × invoice matrix of
 * applied amounts and re-derives everything from it. Randomized tests run the
 * same operations through the service and through this model and compare.
 */
export interface ModelInvoice {
  readonly key: string;
  readonly account: string;
  amount: bigint;
  dueDate: string;
  readonly issueDate: string;
  readonly seq: number;
  isVoid: boolean;
}

export interface ModelPayment {
  readonly key: string;
  readonly account: string;
  readonly amount: bigint;
  readonly paidAt: number;
  readonly created: number;
  reversed: boolean;
}

export type ModelOutcome = 'ok' | string;

export class ReferenceLedger {
  readonly invoices: ModelInvoice[] = [];
  readonly payments: ModelPayment[] = [];
  /** applied[payment][invoice] */
  private readonly applied = new Map<string, Map<string, bigint>>();
  private created = 0;

  appliedTo(invoice: ModelInvoice): bigint {
    let sum = 0n;
    for (const row of this.applied.values()) sum += row.get(invoice.key) ?? 0n;
    return sum;
  }

  appliedFrom(payment: ModelPayment): bigint {
    let sum = 0n;
    for (const amount of this.applied.get(payment.key)?.values() ?? []) sum += amount;
    return sum;
  }

  outstanding(invoice: ModelInvoice): bigint {
    return invoice.isVoid ? 0n : invoice.amount - this.appliedTo(invoice);
  }

  credit(payment: ModelPayment): bigint {
    return payment.reversed ? 0n : payment.amount - this.appliedFrom(payment);
  }

  status(invoice: ModelInvoice): string {
    if (invoice.isVoid) return 'VOID';
    const applied = this.appliedTo(invoice);
    return applied === 0n ? 'UNPAID' : applied === invoice.amount ? 'PAID' : 'PARTIALLY_PAID';
  }

  addInvoice(invoice: Omit<ModelInvoice, 'isVoid'>): void {
    this.invoices.push({ ...invoice, isVoid: false });
    this.spendCredit(invoice.account);
  }

  addPayment(payment: Omit<ModelPayment, 'reversed' | 'created'>, explicit: { invoice: ModelInvoice; amount: bigint }[]): ModelOutcome {
    // Malformed requests are refused before any invoice is looked at.
    if (explicit.reduce((sum, e) => sum + e.amount, 0n) > payment.amount) return 'ALLOCATIONS_EXCEED_PAYMENT';
    for (const { invoice, amount } of explicit) {
      if (invoice.account !== payment.account) return 'ALLOCATION_INVOICE_MISMATCH';
      if (invoice.isVoid) return 'INVOICE_VOID';
      if (amount > this.outstanding(invoice)) return 'ALLOCATION_EXCEEDS_OUTSTANDING';
    }
    const stored: ModelPayment = { ...payment, reversed: false, created: this.created++ };
    this.payments.push(stored);
    for (const { invoice, amount } of explicit) this.move(stored, invoice, amount);
    for (const invoice of this.openInvoices(stored.account)) {
      const amount = min(this.credit(stored), this.outstanding(invoice));
      if (amount > 0n) this.move(stored, invoice, amount);
    }
    this.spendCredit(stored.account);
    return 'ok';
  }

  voidInvoice(invoice: ModelInvoice, release: boolean): ModelOutcome {
    if (invoice.isVoid) return 'ok';
    if (this.appliedTo(invoice) > 0n && !release) return 'INVOICE_HAS_ALLOCATIONS';
    for (const row of this.applied.values()) row.delete(invoice.key);
    invoice.isVoid = true;
    this.spendCredit(invoice.account);
    return 'ok';
  }

  reverse(payment: ModelPayment): ModelOutcome {
    if (payment.reversed) return 'ok';
    this.applied.delete(payment.key);
    payment.reversed = true;
    this.spendCredit(payment.account);
    return 'ok';
  }

  changeAmount(invoice: ModelInvoice, amount: bigint): ModelOutcome {
    if (invoice.isVoid) return 'INVOICE_VOID';
    if (amount < this.appliedTo(invoice)) return 'INVOICE_AMOUNT_BELOW_APPLIED';
    invoice.amount = amount;
    this.spendCredit(invoice.account);
    return 'ok';
  }

  changeDueDate(invoice: ModelInvoice, dueDate: string): ModelOutcome {
    if (invoice.isVoid) return 'INVOICE_VOID';
    if (dueDate < invoice.issueDate) return 'DUE_DATE_BEFORE_ISSUE_DATE';
    invoice.dueDate = dueDate;
    this.spendCredit(invoice.account);
    return 'ok';
  }

  /** Settled: nothing owed and no credit in the account. */
  settled(account: string): boolean {
    return (
      this.invoices.every((i) => i.account !== account || this.outstanding(i) === 0n) &&
      this.payments.every((p) => p.account !== account || this.credit(p) === 0n)
    );
  }

  /** Credit, oldest payment first, onto open invoices in invoice order, until one side runs out. */
  private spendCredit(account: string): void {
    for (;;) {
      const payer = this.payments
        .filter((p) => p.account === account && this.credit(p) > 0n)
        .sort((a, b) => a.paidAt - b.paidAt || a.created - b.created)[0];
      const invoice = this.openInvoices(account)[0];
      if (!payer || !invoice) return;
      this.move(payer, invoice, min(this.credit(payer), this.outstanding(invoice)));
    }
  }

  private openInvoices(account: string): ModelInvoice[] {
    return this.invoices
      .filter((i) => i.account === account && this.outstanding(i) > 0n)
      .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0) || (a.issueDate < b.issueDate ? -1 : a.issueDate > b.issueDate ? 1 : 0) || a.seq - b.seq);
  }

  private move(payment: ModelPayment, invoice: ModelInvoice, amount: bigint): void {
    const row = this.applied.get(payment.key) ?? new Map<string, bigint>();
    row.set(invoice.key, (row.get(invoice.key) ?? 0n) + amount);
    this.applied.set(payment.key, row);
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
