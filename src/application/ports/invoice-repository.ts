import type { SchoolId, StudentId, InvoiceId } from '../../domain/ids.js';
import type { Invoice, InvoiceStatus } from '../../domain/invoice.js';
import type { Page, PageRequest } from '../../domain/page.js';

/** Exactly one of studentId and schoolId. */
export interface InvoiceFilter {
  readonly studentId: StudentId | null;
  readonly schoolId: SchoolId | null;
  readonly status: InvoiceStatus | null;
}

export interface InvoiceRepository {
  insert(invoices: readonly Invoice[]): Promise<void>;
  /** Writes the mutable fields: description, due date, amount, applied, state. */
  update(invoices: readonly Invoice[]): Promise<void>;
  findById(id: InvoiceId): Promise<Invoice | null>;
  findByIds(ids: readonly InvoiceId[]): Promise<Invoice[]>;
  findByIdempotencyKey(studentId: StudentId, key: string): Promise<Invoice | null>;
  /** In invoice order (due date, issue date, sequence). */
  list(filter: InvoiceFilter, page: PageRequest): Promise<Page<Invoice>>;
  /**
   * Locks and returns, for one student at one school, the open invoices
   * (ISSUED with outstanding > 0) and the invoices named in `alsoIds`.
   */
  lockLedger(studentId: StudentId, schoolId: SchoolId, alsoIds: readonly InvoiceId[]): Promise<Invoice[]>;
}
