import type { Sequelize } from 'sequelize';
import { type ChangedStatements, StatementChangeSet } from '../../application/ports/statement-versions.js';
import type { TransactionScope, UnitOfWork } from '../../application/ports/unit-of-work.js';
import { DomainError } from '../../domain/errors.js';
import { requireTimeLeft } from './call-deadline.js';
import { isRetryableTransactionError, translateDatabaseError } from './errors.js';
import { sequelizeRepositories } from './repositories.js';
import { Sql } from './sql.js';
import { bumpStatementVersions } from './statement-versions.js';

export interface UnitOfWorkOptions {
  /** Runs of `work` before giving up on serialization failures and deadlocks (default 5). */
  readonly maxAttempts?: number;
  /** Base of the jittered exponential backoff between attempts (default 10 ms). */
  readonly backoffMs?: number;
  /** Told, after each commit, which statements it changed (the cache drops their keys). */
  readonly onCommitted?: (changed: ChangedStatements) => void;
}

/** Committed is committed: a failing listener must not turn the write into an error. */
function notify(listener: (changed: ChangedStatements) => void, changed: ChangedStatements): void {
  try {
    listener(changed);
  } catch {
    // Dropping cache keys only frees memory; versions keep the cache correct without it.
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One READ COMMITTED transaction per run, with the repositories bound to it.
 * READ COMMITTED is enough because every money write locks the student row
 * first (docs/decisions.md); a deadlock or serialization failure that still
 * happens reruns the whole of `work` after a short jittered pause, and turns
 * into TRANSACTION_CONFLICT once the attempts are spent. Errors of `work`
 * itself roll back and propagate unchanged.
 *
 * The statements the work declares are bumped last, in one statement just
 * before COMMIT, so school rows stay locked for as short a time as possible.
 *
 * Under a call's deadline (call-deadline.ts) every statement is capped at the
 * time left and nothing commits once it has passed: DEADLINE_EXCEEDED, and
 * the transaction rolls back.
 */
export class SequelizeUnitOfWork implements UnitOfWork {
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly onCommitted: (changed: ChangedStatements) => void;

  constructor(
    private readonly sequelize: Sequelize,
    options: UnitOfWorkOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? 10;
    this.onCommitted = options.onCommitted ?? (() => undefined);
  }

  async run<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const changes = new StatementChangeSet();
      try {
        // READ COMMITTED: every connection's default (sequelize.ts), so a bare BEGIN.
        const result = await Sql.transaction(this.sequelize, 'BEGIN', async (sql, transaction) => {
          await sql.limitToDeadline();
          const done = await work({ ...sequelizeRepositories(this.sequelize, transaction), statements: changes });
          if (!changes.empty) await bumpStatementVersions(sql, changes.changed());
          // A call that ran out of time must not commit what its caller will never hear of.
          requireTimeLeft();
          return done;
        });
        if (!changes.empty) notify(this.onCommitted, changes.changed());
        return result;
      } catch (error) {
        if (!isRetryableTransactionError(error)) throw translateDatabaseError(error);
        if (attempt >= this.maxAttempts) {
          throw new DomainError('TRANSACTION_CONFLICT', 'the transaction conflicted with concurrent writes; retry the request');
        }
        const pause = this.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        // No retry that could only start after the deadline.
        requireTimeLeft(pause);
        await sleep(pause);
      }
    }
  }
}
