import type { InvoiceRepository } from './invoice-repository.js';
import type { PaymentRepository } from './payment-repository.js';
import type { SchoolRepository } from './school-repository.js';
import type { StatementChanges } from './statement-versions.js';
import type { StudentRepository } from './student-repository.js';

export interface Repositories {
  readonly schools: SchoolRepository;
  readonly students: StudentRepository;
  readonly invoices: InvoiceRepository;
  readonly payments: PaymentRepository;
}

/** The repositories of one transaction, and where it declares the statements it changes. */
export interface TransactionScope extends Repositories {
  /** Their data versions are bumped in the same transaction, just before commit. */
  readonly statements: StatementChanges;
}

/**
 * Runs `work` in one database transaction with repositories bound to it: all
 * of it commits or none of it does. On a serialization failure or deadlock the
 * whole of `work` runs again (so it must not have effects outside the
 * repositories); when retries run out it fails with TRANSACTION_CONFLICT.
 *
 * Just before committing, it bumps the data versions of the statements the
 * work declared through `repositories.statements`, in the same transaction;
 * after the commit it reports them (the cache then drops their keys).
 */
export interface UnitOfWork {
  run<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T>;
}
