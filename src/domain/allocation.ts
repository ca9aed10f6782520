import { DomainError } from './errors.js';
import type { AllocationId, InvoiceId, PaymentId, SchoolId, StudentId } from './ids.js';
import { type Invoice, outstandingOf } from './invoice.js';
import { requireAmount, sumMinor } from './money.js';

/** Part of a payment applied to an invoice. Released rows are kept as history. */
export interface Allocation {
  readonly id: AllocationId;
  readonly paymentId: PaymentId;
  readonly invoiceId: InvoiceId;
  readonly studentId: StudentId;
  readonly schoolId: SchoolId;
  readonly amountMinor: bigint;
  readonly createdAt: Date;
  readonly releasedAt: Date | null;
}

/** An allocation a caller asks for when recording a payment. */
export interface AllocationRequest {
  readonly invoiceId: InvoiceId;
  readonly amountMinor: bigint;
}

/** Checks what can be checked without the ledger: amounts, distinct targets, total. */
export function requireAllocationRequests(requests: readonly AllocationRequest[], paymentAmount: bigint): readonly AllocationRequest[] {
  const seen = new Set<InvoiceId>();
  requests.forEach((request, index) => {
    requireAmount(request.amountMinor, `allocations[${index}].amount_minor`);
    if (seen.has(request.invoiceId)) {
      throw new DomainError('DUPLICATE_ALLOCATION_TARGET', 'each allocation must name a different invoice', `allocations[${index}].invoice_id`);
    }
    seen.add(request.invoiceId);
  });
  if (sumMinor(requests.map((r) => r.amountMinor)) > paymentAmount) {
    throw new DomainError('ALLOCATIONS_EXCEED_PAYMENT', 'allocations must not add up to more than amount_minor', 'allocations');
  }
  return requests;
}

/**
 * Why an invoice cannot take an explicit allocation from a payment of this
 * student at this school, or null if it can.
 */
export function allocationTargetError(
  invoice: Invoice | null,
  target: { studentId: StudentId; schoolId: SchoolId; amountMinor: bigint },
  field: string,
): DomainError | null {
  if (!invoice) return new DomainError('INVOICE_NOT_FOUND', 'invoice not found', `${field}.invoice_id`);
  if (invoice.studentId !== target.studentId || invoice.schoolId !== target.schoolId) {
    return new DomainError(
      'ALLOCATION_INVOICE_MISMATCH',
      "the invoice belongs to another student or school than the payment",
      `${field}.invoice_id`,
    );
  }
  if (invoice.state === 'VOID') return new DomainError('INVOICE_VOID', 'a void invoice cannot take payments', `${field}.invoice_id`);
  const outstanding = outstandingOf(invoice);
  if (target.amountMinor > outstanding) {
    return new DomainError('ALLOCATION_EXCEEDS_OUTSTANDING', `the invoice has only ${outstanding} outstanding`, `${field}.amount_minor`);
  }
  return null;
}
