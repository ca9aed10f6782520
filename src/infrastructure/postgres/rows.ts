import type { Allocation } from '../../domain/allocation.js';
import { type CalendarDate, isCalendarDate } from '../../domain/calendar-date.js';
import type { AllocationId, InvoiceId, PaymentId, SchoolId, StudentId } from '../../domain/ids.js';
import type { Invoice, InvoiceState } from '../../domain/invoice.js';
import type { Payment, PaymentMethod, PaymentStatus } from '../../domain/payment.js';
import type { School } from '../../domain/school.js';
import type { Student, StudentStatus } from '../../domain/student.js';

/**
 * Row mappers: the database is trusted (its constraints hold), but the JS types
 * are checked, so a driver setting that turned int8 into a lossy number fails
 * loudly instead of corrupting money. pg returns int8 and numeric as strings.
 */

export type Row = Record<string, unknown>;

export function bigintOf(value: unknown, column: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`invariant: column ${column} is not an exact integer (${typeof value})`);
}

export function instantOf(value: unknown, column: string): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  throw new Error(`invariant: column ${column} is not a timestamp (${typeof value})`);
}

export function optionalInstantOf(value: unknown, column: string): Date | null {
  return value === null ? null : instantOf(value, column);
}

export function calendarDateOf(value: unknown, column: string): CalendarDate {
  if (typeof value === 'string' && isCalendarDate(value)) return value;
  throw new Error(`invariant: column ${column} is not a date YYYY-MM-DD (${String(value)})`);
}

export function textOf(value: unknown, column: string): string {
  if (typeof value === 'string') return value;
  throw new Error(`invariant: column ${column} is not text (${typeof value})`);
}

export function optionalTextOf(value: unknown, column: string): string | null {
  return value === null ? null : textOf(value, column);
}

/** Bind form of an int8: its decimal text, so no value ever passes through a JS number. */
export function int8(value: bigint): string {
  return value.toString();
}

/** Bind form of a timestamptz: ISO-8601 in UTC with milliseconds (columns are timestamptz(3)). */
export function timestamp(value: Date): string {
  return value.toISOString();
}

export function optionalTimestamp(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

export const SCHOOL_COLUMNS = 'id, name, currency_code, timezone, created_at, updated_at';

export function schoolOf(row: Row): School {
  return {
    id: textOf(row.id, 'schools.id') as SchoolId,
    name: textOf(row.name, 'schools.name'),
    currencyCode: textOf(row.currency_code, 'schools.currency_code'),
    timezone: textOf(row.timezone, 'schools.timezone'),
    createdAt: instantOf(row.created_at, 'schools.created_at'),
    updatedAt: instantOf(row.updated_at, 'schools.updated_at'),
  };
}

export const STUDENT_COLUMNS = 'id, school_id, first_name, last_name, email, external_ref, status, created_at, updated_at';

export function studentOf(row: Row): Student {
  return {
    id: textOf(row.id, 'students.id') as StudentId,
    schoolId: textOf(row.school_id, 'students.school_id') as SchoolId,
    firstName: textOf(row.first_name, 'students.first_name'),
    lastName: textOf(row.last_name, 'students.last_name'),
    email: optionalTextOf(row.email, 'students.email'),
    externalRef: optionalTextOf(row.external_ref, 'students.external_ref'),
    status: textOf(row.status, 'students.status') as StudentStatus,
    createdAt: instantOf(row.created_at, 'students.created_at'),
    updatedAt: instantOf(row.updated_at, 'students.updated_at'),
  };
}

export const INVOICE_COLUMNS =
  'id, school_id, student_id, sequence, number, description, amount_minor, applied_minor, issue_date, due_date, state, ' +
  'idempotency_key, request_fingerprint, created_at, updated_at, voided_at';

export function invoiceOf(row: Row): Invoice {
  return {
    id: textOf(row.id, 'invoices.id') as InvoiceId,
    schoolId: textOf(row.school_id, 'invoices.school_id') as SchoolId,
    studentId: textOf(row.student_id, 'invoices.student_id') as StudentId,
    sequence: bigintOf(row.sequence, 'invoices.sequence'),
    number: textOf(row.number, 'invoices.number'),
    description: textOf(row.description, 'invoices.description'),
    amountMinor: bigintOf(row.amount_minor, 'invoices.amount_minor'),
    appliedMinor: bigintOf(row.applied_minor, 'invoices.applied_minor'),
    issueDate: calendarDateOf(row.issue_date, 'invoices.issue_date'),
    dueDate: calendarDateOf(row.due_date, 'invoices.due_date'),
    state: textOf(row.state, 'invoices.state') as InvoiceState,
    idempotencyKey: optionalTextOf(row.idempotency_key, 'invoices.idempotency_key'),
    requestFingerprint: optionalTextOf(row.request_fingerprint, 'invoices.request_fingerprint'),
    createdAt: instantOf(row.created_at, 'invoices.created_at'),
    updatedAt: instantOf(row.updated_at, 'invoices.updated_at'),
    voidedAt: optionalInstantOf(row.voided_at, 'invoices.voided_at'),
  };
}

export const PAYMENT_COLUMNS =
  'id, school_id, student_id, amount_minor, applied_minor, paid_at, method, reference, status, ' +
  'idempotency_key, request_fingerprint, created_at, updated_at, reversed_at';

export function paymentOf(row: Row): Payment {
  return {
    id: textOf(row.id, 'payments.id') as PaymentId,
    schoolId: textOf(row.school_id, 'payments.school_id') as SchoolId,
    studentId: textOf(row.student_id, 'payments.student_id') as StudentId,
    amountMinor: bigintOf(row.amount_minor, 'payments.amount_minor'),
    appliedMinor: bigintOf(row.applied_minor, 'payments.applied_minor'),
    paidAt: instantOf(row.paid_at, 'payments.paid_at'),
    method: textOf(row.method, 'payments.method') as PaymentMethod,
    reference: textOf(row.reference, 'payments.reference'),
    status: textOf(row.status, 'payments.status') as PaymentStatus,
    idempotencyKey: optionalTextOf(row.idempotency_key, 'payments.idempotency_key'),
    requestFingerprint: optionalTextOf(row.request_fingerprint, 'payments.request_fingerprint'),
    createdAt: instantOf(row.created_at, 'payments.created_at'),
    updatedAt: instantOf(row.updated_at, 'payments.updated_at'),
    reversedAt: optionalInstantOf(row.reversed_at, 'payments.reversed_at'),
  };
}

export const ALLOCATION_COLUMNS = 'id, payment_id, invoice_id, student_id, school_id, amount_minor, created_at, released_at';

export function allocationOf(row: Row): Allocation {
  return {
    id: textOf(row.id, 'allocations.id') as AllocationId,
    paymentId: textOf(row.payment_id, 'allocations.payment_id') as PaymentId,
    invoiceId: textOf(row.invoice_id, 'allocations.invoice_id') as InvoiceId,
    studentId: textOf(row.student_id, 'allocations.student_id') as StudentId,
    schoolId: textOf(row.school_id, 'allocations.school_id') as SchoolId,
    amountMinor: bigintOf(row.amount_minor, 'allocations.amount_minor'),
    createdAt: instantOf(row.created_at, 'allocations.created_at'),
    releasedAt: optionalInstantOf(row.released_at, 'allocations.released_at'),
  };
}
