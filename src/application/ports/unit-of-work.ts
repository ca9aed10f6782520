import type { InvoiceRepository } from './invoice-repository.js';
import type { PaymentRepository } from './payment-repository.js';
import type { SchoolRepository } from './school-repository.js';
import type { StudentRepository } from './student-repository.js';

export interface Repositories {
  readonly schools: SchoolRepository;
  readonly students: StudentRepository;
  readonly invoices: InvoiceRepository;
  readonly payments: PaymentRepository;
}

/**
 * Runs `work` in one database transaction with repositories bound to it: all
 * of it commits or none of it does. On a serialization failure or deadlock the
 * whole of `work` runs again (so it must not have effects outside the
 * repositories); when retries run out it fails with TRANSACTION_CONFLICT.
 */
export interface UnitOfWork {
  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}
