import type { Allocation } from './allocation.js';
import { DomainError } from './errors.js';
import type { PaymentId, SchoolId, StudentId } from './ids.js';
import { requireAmount } from './money.js';
import { requireText } from './text.js';

export const PAYMENT_METHODS = ['CASH', 'CARD', 'BANK_TRANSFER', 'CHECK', 'OTHER'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentStatus = 'COMPLETED' | 'REVERSED';

export interface Payment {
  readonly id: PaymentId;
  /** The student's school when the payment was received. */
  readonly schoolId: SchoolId;
  readonly studentId: StudentId;
  readonly amountMinor: bigint;
  /** Sum of active allocations, kept on the row and guarded by a CHECK; 0 once reversed. */
  readonly appliedMinor: bigint;
  readonly paidAt: Date;
  readonly method: PaymentMethod;
  readonly reference: string;
  readonly status: PaymentStatus;
  readonly idempotencyKey: string | null;
  readonly requestFingerprint: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly reversedAt: Date | null;
}

/** How much of a payment is applied to one invoice now. */
export interface AppliedAmount {
  readonly invoiceId: Allocation['invoiceId'];
  readonly amountMinor: bigint;
}

/** A payment as a caller sees it: what it pays now, per invoice, and its credit. */
export interface PaymentView extends Payment {
  readonly allocations: readonly AppliedAmount[];
  readonly unappliedMinor: bigint;
}

/** Credit: received and not applied. A reversed payment has none. */
export function unappliedOf(payment: Payment): bigint {
  return payment.status === 'REVERSED' ? 0n : payment.amountMinor - payment.appliedMinor;
}

/**
 * Active allocations summed per invoice (a payment may reach one invoice in
 * several operations, e.g. credit applied again after a void), in the order
 * each invoice was first paid.
 */
export function viewPayment(payment: Payment, allocations: readonly Allocation[]): PaymentView {
  const perInvoice = new Map<Allocation['invoiceId'], bigint>();
  for (const allocation of allocations) {
    if (allocation.releasedAt !== null || allocation.paymentId !== payment.id) continue;
    perInvoice.set(allocation.invoiceId, (perInvoice.get(allocation.invoiceId) ?? 0n) + allocation.amountMinor);
  }
  return {
    ...payment,
    allocations: [...perInvoice].map(([invoiceId, amountMinor]) => ({ invoiceId, amountMinor })),
    unappliedMinor: unappliedOf(payment),
  };
}

/** Credit is spent oldest payment first: paid_at, then creation time, then id. */
export function compareCreditOrder(a: Payment, b: Payment): number {
  const byPaidAt = a.paidAt.getTime() - b.paidAt.getTime();
  if (byPaidAt !== 0) return byPaidAt;
  const byCreation = a.createdAt.getTime() - b.createdAt.getTime();
  if (byCreation !== 0) return byCreation;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// Clocks of callers and of this server drift; a payment stamped a little ahead is still "now".
export const PAID_AT_TOLERANCE_MS = 5 * 60_000;
const EARLIEST_PAID_AT_MS = Date.UTC(1900, 0, 1);

/** A payment reference: optional, one line, at most 200 characters. */
export function requireReference(value: string): string {
  return requireText(value, 'reference', { maxLength: 200, optional: true });
}

/** `paid_at`: from 1900 on, and not more than PAID_AT_TOLERANCE_MS ahead of `now`. */
export function requirePaidAt(paidAt: Date, now: Date): Date {
  if (paidAt.getTime() < EARLIEST_PAID_AT_MS) throw new DomainError('INVALID_TIMESTAMP', 'paid_at must not be before 1900', 'paid_at');
  if (paidAt.getTime() > now.getTime() + PAID_AT_TOLERANCE_MS) {
    throw new DomainError('PAID_AT_IN_FUTURE', 'paid_at must not be in the future', 'paid_at');
  }
  return paidAt;
}

export function receivePayment(input: {
  id: PaymentId;
  schoolId: SchoolId;
  studentId: StudentId;
  amountMinor: bigint;
  /** Null means now. */
  paidAt: Date | null;
  method: PaymentMethod;
  reference: string;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
  now: Date;
}): Payment {
  const paidAt = requirePaidAt(input.paidAt ?? input.now, input.now);
  return {
    id: input.id,
    schoolId: input.schoolId,
    studentId: input.studentId,
    amountMinor: requireAmount(input.amountMinor, 'amount_minor'),
    appliedMinor: 0n,
    paidAt,
    method: input.method,
    reference: requireReference(input.reference),
    status: 'COMPLETED',
    idempotencyKey: input.idempotencyKey,
    requestFingerprint: input.requestFingerprint,
    createdAt: input.now,
    updatedAt: input.now,
    reversedAt: null,
  };
}
