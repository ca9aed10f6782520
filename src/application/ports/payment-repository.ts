import type { Allocation } from '../../domain/allocation.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { Payment, PaymentStatus } from '../../domain/payment.js';

/** Exactly one of studentId and schoolId. */
export interface PaymentFilter {
  readonly studentId: StudentId | null;
  readonly schoolId: SchoolId | null;
  readonly status: PaymentStatus | null;
}

export interface PaymentRepository {
  insert(payments: readonly Payment[]): Promise<void>;
  /** Writes the mutable fields: applied, status. */
  update(payments: readonly Payment[]): Promise<void>;
  findById(id: PaymentId): Promise<Payment | null>;
  findByIdempotencyKey(studentId: StudentId, key: string): Promise<Payment | null>;
  /** Newest first: paid_at, then creation time, then id, all descending. */
  list(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>>;
  /**
   * Locks and returns, for one student at one school, the payments holding
   * credit (COMPLETED with unapplied > 0) and the payments named in `alsoIds`.
   */
  lockLedger(studentId: StudentId, schoolId: SchoolId, alsoIds: readonly PaymentId[]): Promise<Payment[]>;

  insertAllocations(allocations: readonly Allocation[]): Promise<void>;
  /** Marks the allocations released at their `releasedAt`; the rows are kept. */
  releaseAllocations(allocations: readonly Allocation[]): Promise<void>;
  /** Active allocations, in id order. */
  activeAllocationsOfPayments(paymentIds: readonly PaymentId[]): Promise<Allocation[]>;
  /** Active allocations, in id order. */
  activeAllocationsOfInvoice(invoiceId: InvoiceId): Promise<Allocation[]>;
}
