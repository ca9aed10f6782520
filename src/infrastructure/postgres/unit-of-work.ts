import { type Sequelize, Transaction } from 'sequelize';
import type { Repositories, UnitOfWork } from '../../application/ports/unit-of-work.js';
import { DomainError } from '../../domain/errors.js';
import { isRetryableTransactionError, translateDatabaseError } from './errors.js';
import { sequelizeRepositories } from './repositories.js';

export interface UnitOfWorkOptions {
  /** Runs of `work` before giving up on serialization failures and deadlocks (default 5). */
  readonly maxAttempts?: number;
  /** Base of the jittered exponential backoff between attempts (default 10 ms). */
  readonly backoffMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One READ COMMITTED transaction per run, with the repositories bound to it.
 * READ COMMITTED is enough because every money write locks the student row
 * first (docs/decisions.md); a deadlock or serialization failure that still
 * happens reruns the whole of `work` after a short jittered pause, and turns
 * into TRANSACTION_CONFLICT once the attempts are spent. Errors of `work`
 * itself roll back and propagate unchanged.
 */
export class SequelizeUnitOfWork implements UnitOfWork {
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly sequelize: Sequelize,
    options: UnitOfWorkOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? 10;
  }

  async run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, (transaction) =>
          work(sequelizeRepositories(this.sequelize, transaction)),
        );
      } catch (error) {
        if (!isRetryableTransactionError(error)) throw translateDatabaseError(error);
        if (attempt >= this.maxAttempts) {
          throw new DomainError('TRANSACTION_CONFLICT', 'the transaction conflicted with concurrent writes; retry the request');
        }
        await sleep(this.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
      }
    }
  }
}
