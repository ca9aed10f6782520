import { type CalendarDate, daysBetween } from './calendar-date.js';
import { DomainError } from './errors.js';
import type { InvoiceId, SchoolId, StudentId } from './ids.js';
import { requireAmount } from './money.js';
import { requireText } from './text.js';

/** What is stored. Payment status is derived from the applied amount, never written. */
export type InvoiceState = 'ISSUED' | 'VOID';
export type InvoiceStatus = 'UNPAID' | 'PARTIALLY_PAID' | 'PAID' | 'VOID';
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['UNPAID', 'PARTIALLY_PAID', 'PAID', 'VOID'];

export interface Invoice {
  readonly id: InvoiceId;
  /** The issuing school, fixed at creation. */
  readonly schoolId: SchoolId;
  readonly studentId: StudentId;
  /** Per-school issue sequence; orders invoices and forms the number. */
  readonly sequence: bigint;
  readonly number: string;
  readonly description: string;
  readonly amountMinor: bigint;
  /** Sum of active allocations, kept on the row and guarded by a CHECK. */
  readonly appliedMinor: bigint;
  readonly issueDate: CalendarDate;
  readonly dueDate: CalendarDate;
  readonly state: InvoiceState;
  readonly idempotencyKey: string | null;
  /** Canonical form of the creating request, to tell a retry from a key reused for another invoice. */
  readonly requestFingerprint: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly voidedAt: Date | null;
}

/** An invoice as a caller sees it on a given day. */
export interface InvoiceView extends Invoice {
  readonly outstandingMinor: bigint;
  readonly status: InvoiceStatus;
  readonly overdue: boolean;
  readonly daysOverdue: number;
}

export function formatInvoiceNumber(sequence: bigint): string {
  return `INV-${sequence.toString().padStart(6, '0')}`;
}

export function outstandingOf(invoice: Invoice): bigint {
  return invoice.state === 'VOID' ? 0n : invoice.amountMinor - invoice.appliedMinor;
}

export function isOpen(invoice: Invoice): boolean {
  return outstandingOf(invoice) > 0n;
}

export function statusOf(invoice: Invoice): InvoiceStatus {
  if (invoice.state === 'VOID') return 'VOID';
  if (invoice.appliedMinor === 0n) return 'UNPAID';
  return invoice.appliedMinor === invoice.amountMinor ? 'PAID' : 'PARTIALLY_PAID';
}

/** Days past due as of a date; an invoice is not overdue on its due date. */
export function daysOverdueOf(invoice: Invoice, asOf: CalendarDate): number {
  if (!isOpen(invoice)) return 0;
  return Math.max(0, daysBetween(invoice.dueDate, asOf));
}

export function viewInvoice(invoice: Invoice, asOf: CalendarDate): InvoiceView {
  const daysOverdue = daysOverdueOf(invoice, asOf);
  return { ...invoice, outstandingMinor: outstandingOf(invoice), status: statusOf(invoice), overdue: daysOverdue > 0, daysOverdue };
}

/** Invoice order: due date, issue date, then issue sequence (never the text of the number). */
export function compareInvoiceOrder(a: Invoice, b: Invoice): number {
  if (a.dueDate !== b.dueDate) return a.dueDate < b.dueDate ? -1 : 1;
  if (a.issueDate !== b.issueDate) return a.issueDate < b.issueDate ? -1 : 1;
  if (a.sequence !== b.sequence) return a.sequence < b.sequence ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const DESCRIPTION = { maxLength: 1000, multiline: true } as const;

/** An invoice description: required, newlines allowed, at most 1000 characters. */
export function requireDescription(value: string): string {
  return requireText(value, 'description', DESCRIPTION);
}

function requireDueDate(dueDate: CalendarDate, issueDate: CalendarDate): CalendarDate {
  if (dueDate < issueDate) throw new DomainError('DUE_DATE_BEFORE_ISSUE_DATE', 'due_date must be on or after issue_date', 'due_date');
  return dueDate;
}

export function issueInvoice(input: {
  id: InvoiceId;
  schoolId: SchoolId;
  studentId: StudentId;
  sequence: bigint;
  description: string;
  amountMinor: bigint;
  /** Null means today. */
  issueDate: CalendarDate | null;
  dueDate: CalendarDate;
  /** Today in the school's timezone. */
  today: CalendarDate;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
  now: Date;
}): Invoice {
  const issueDate = input.issueDate ?? input.today;
  if (issueDate > input.today) throw new DomainError('ISSUE_DATE_IN_FUTURE', 'issue_date must not be in the future', 'issue_date');
  return {
    id: input.id,
    schoolId: input.schoolId,
    studentId: input.studentId,
    sequence: input.sequence,
    number: formatInvoiceNumber(input.sequence),
    description: requireDescription(input.description),
    amountMinor: requireAmount(input.amountMinor, 'amount_minor'),
    appliedMinor: 0n,
    issueDate,
    dueDate: requireDueDate(input.dueDate, issueDate),
    state: 'ISSUED',
    idempotencyKey: input.idempotencyKey,
    requestFingerprint: input.requestFingerprint,
    createdAt: input.now,
    updatedAt: input.now,
    voidedAt: null,
  };
}

export interface InvoiceChanges {
  readonly description?: string;
  readonly dueDate?: CalendarDate;
  readonly amountMinor?: bigint;
}

export function reviseInvoice(invoice: Invoice, changes: InvoiceChanges, now: Date): Invoice {
  if (invoice.state === 'VOID') throw new DomainError('INVOICE_VOID', 'a void invoice cannot be changed', 'id');
  const amountMinor = changes.amountMinor === undefined ? invoice.amountMinor : requireAmount(changes.amountMinor, 'amount_minor');
  if (amountMinor < invoice.appliedMinor) {
    throw new DomainError(
      'INVOICE_AMOUNT_BELOW_APPLIED',
      `amount_minor must not be below the ${invoice.appliedMinor} already applied`,
      'amount_minor',
    );
  }
  return {
    ...invoice,
    description: changes.description === undefined ? invoice.description : requireDescription(changes.description),
    dueDate: changes.dueDate === undefined ? invoice.dueDate : requireDueDate(changes.dueDate, invoice.issueDate),
    amountMinor,
    updatedAt: now,
  };
}
