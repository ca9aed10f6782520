import type { CalendarDate } from './calendar-date.js';
import type { InvoiceId, PaymentId, StudentId } from './ids.js';
import type { InvoiceStatus, InvoiceView } from './invoice.js';
import type { PaymentMethod, PaymentStatus, PaymentView } from './payment.js';
import type { School } from './school.js';
import type { Student, StudentStatus } from './student.js';

/** Outstanding amounts by days past due. */
export interface Aging {
  readonly currentMinor: bigint;
  readonly days1To30Minor: bigint;
  readonly days31To60Minor: bigint;
  readonly days61To90Minor: bigint;
  readonly daysOver90Minor: bigint;
}

export interface StatementTotals {
  /** Non-VOID invoices. */
  readonly invoicedMinor: bigint;
  readonly appliedMinor: bigint;
  readonly outstandingMinor: bigint;
  /** COMPLETED payments. */
  readonly receivedMinor: bigint;
  readonly creditMinor: bigint;
  readonly netBalanceMinor: bigint;
  readonly overdueMinor: bigint;
  /** Every invoice, VOID included. */
  readonly invoiceCount: bigint;
  readonly unpaidCount: bigint;
  readonly partiallyPaidCount: bigint;
  readonly paidCount: bigint;
  readonly voidCount: bigint;
  readonly overdueCount: bigint;
  readonly aging: Aging;
}

export interface InvoiceLine {
  readonly invoiceId: InvoiceId;
  readonly number: string;
  readonly description: string;
  readonly issueDate: CalendarDate;
  readonly dueDate: CalendarDate;
  readonly amountMinor: bigint;
  readonly appliedMinor: bigint;
  readonly outstandingMinor: bigint;
  readonly status: InvoiceStatus;
  readonly overdue: boolean;
  readonly daysOverdue: number;
}

export interface PaymentLine {
  readonly paymentId: PaymentId;
  readonly paidAt: Date;
  readonly method: PaymentMethod;
  readonly amountMinor: bigint;
  readonly appliedMinor: bigint;
  readonly unappliedMinor: bigint;
  readonly status: PaymentStatus;
}

export interface StudentStatement {
  readonly student: Student;
  readonly currencyCode: string;
  readonly asOfDate: CalendarDate;
  readonly generatedAt: Date;
  readonly totals: StatementTotals;
  /** Invoice order. */
  readonly invoices: readonly InvoiceLine[];
  /** Newest first. */
  readonly payments: readonly PaymentLine[];
}

export interface SchoolStatementRow {
  readonly studentId: StudentId;
  readonly name: string;
  readonly status: StudentStatus;
  readonly invoicedMinor: bigint;
  readonly appliedMinor: bigint;
  readonly outstandingMinor: bigint;
  readonly creditMinor: bigint;
  readonly overdueMinor: bigint;
}

export interface SchoolStatement {
  readonly school: School;
  readonly currencyCode: string;
  readonly asOfDate: CalendarDate;
  readonly generatedAt: Date;
  /** The whole school, whatever the page. */
  readonly totals: StatementTotals;
  readonly studentCount: bigint;
  readonly activeStudentCount: bigint;
  readonly studentsWithBalanceCount: bigint;
  readonly studentsOverdueCount: bigint;
  /** Outstanding descending, then student id. */
  readonly rows: readonly SchoolStatementRow[];
  readonly nextPageToken: string | null;
}

export type AgingBucket = keyof Aging;

export function agingBucketOf(daysOverdue: number): AgingBucket {
  if (daysOverdue <= 0) return 'currentMinor';
  if (daysOverdue <= 30) return 'days1To30Minor';
  if (daysOverdue <= 60) return 'days31To60Minor';
  if (daysOverdue <= 90) return 'days61To90Minor';
  return 'daysOver90Minor';
}

export function invoiceLineOf(invoice: InvoiceView): InvoiceLine {
  return {
    invoiceId: invoice.id,
    number: invoice.number,
    description: invoice.description,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    amountMinor: invoice.amountMinor,
    appliedMinor: invoice.appliedMinor,
    outstandingMinor: invoice.outstandingMinor,
    status: invoice.status,
    overdue: invoice.overdue,
    daysOverdue: invoice.daysOverdue,
  };
}

export function paymentLineOf(payment: Omit<PaymentView, 'allocations'>): PaymentLine {
  return {
    paymentId: payment.id,
    paidAt: payment.paidAt,
    method: payment.method,
    amountMinor: payment.amountMinor,
    appliedMinor: payment.appliedMinor,
    unappliedMinor: payment.unappliedMinor,
    status: payment.status,
  };
}

/** Totals of one account from its lines (the school statement computes the same in SQL). */
export function summarize(invoices: readonly InvoiceLine[], payments: readonly PaymentLine[]): StatementTotals {
  const aging = { currentMinor: 0n, days1To30Minor: 0n, days31To60Minor: 0n, days61To90Minor: 0n, daysOver90Minor: 0n };
  const counts = { UNPAID: 0n, PARTIALLY_PAID: 0n, PAID: 0n, VOID: 0n };
  let invoiced = 0n;
  let applied = 0n;
  let overdue = 0n;
  let overdueCount = 0n;
  for (const line of invoices) {
    counts[line.status] += 1n;
    if (line.status === 'VOID') continue;
    invoiced += line.amountMinor;
    applied += line.appliedMinor;
    aging[agingBucketOf(line.daysOverdue)] += line.outstandingMinor;
    if (line.overdue) {
      overdue += line.outstandingMinor;
      overdueCount += 1n;
    }
  }
  let received = 0n;
  let paymentsApplied = 0n;
  for (const line of payments) {
    if (line.status !== 'COMPLETED') continue;
    received += line.amountMinor;
    paymentsApplied += line.appliedMinor;
  }
  const outstanding = invoiced - applied;
  const credit = received - paymentsApplied;
  return {
    invoicedMinor: invoiced,
    appliedMinor: applied,
    outstandingMinor: outstanding,
    receivedMinor: received,
    creditMinor: credit,
    netBalanceMinor: outstanding - credit,
    overdueMinor: overdue,
    invoiceCount: BigInt(invoices.length),
    unpaidCount: counts.UNPAID,
    partiallyPaidCount: counts.PARTIALLY_PAID,
    paidCount: counts.PAID,
    voidCount: counts.VOID,
    overdueCount,
    aging,
  };
}
