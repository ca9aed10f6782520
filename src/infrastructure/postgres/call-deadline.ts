import { AsyncLocalStorage } from 'node:async_hooks';
import { DomainError } from '../../domain/errors.js';

/**
 * The deadline of the call a query runs for, carried in an
 * AsyncLocalStorage that only this adapter reads (docs/decisions.md,
 * "Deadlines down to the database"). The transport enters it around each
 * call (the composition root wires that); the ports and use cases do not see
 * it. The unit of work and statement snapshots turn what is left of it into
 * `SET LOCAL statement_timeout`, and every statement first checks that the
 * call is still running, so an expired or cancelled call stops before its
 * next statement and before COMMIT, and its transaction rolls back.
 */
export interface CallDeadline {
  /** Epoch milliseconds when the call's deadline passes; unset: no deadline. */
  readonly expiresAt?: number;
  /** Aborted when the call is cancelled, times out, or the server is forced down. */
  readonly signal?: AbortSignal;
}

const current = new AsyncLocalStorage<CallDeadline>();

/** Runs `work` (and everything it starts) under the call's deadline. */
export function runWithDeadline<T>(deadline: CallDeadline, work: () => Promise<T>): Promise<T> {
  return current.run(deadline, work);
}

const NO_DEADLINE: CallDeadline = Object.freeze({});

/**
 * Runs `work` outside any call's deadline: for reads shared by several calls
 * (batched version reads), which one caller's deadline must not cut short.
 * An empty deadline rather than `exit()`: on Node 20, `exit()` turns the
 * process-wide async hooks off and on again around `work`, on every batch.
 */
export function runWithoutDeadline<T>(work: () => T): T {
  return current.run(NO_DEADLINE, work);
}

function expired(): DomainError {
  return new DomainError('DEADLINE_EXCEEDED', "the call's deadline passed before the database answered");
}

/**
 * Milliseconds left before the call's deadline (at least 1), or null when the
 * call has none. Throws DEADLINE_EXCEEDED when the deadline has passed or the
 * call was cancelled.
 */
export function remainingMs(now = Date.now()): number | null {
  const deadline = current.getStore();
  if (deadline === undefined) return null;
  if (deadline.signal?.aborted) throw expired();
  if (deadline.expiresAt === undefined) return null;
  const left = Math.ceil(deadline.expiresAt - now);
  if (left <= 0) throw expired();
  return left;
}

/** Throws DEADLINE_EXCEEDED when the current call is over, or will be in `afterMs`. */
export function requireTimeLeft(afterMs = 0): void {
  remainingMs(Date.now() + afterMs);
}
