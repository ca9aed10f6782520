/**
 * Where cached statements live (Redis, or memory when no Redis is
 * configured). Keys are logical (`statement:student:{id}`); the adapter adds
 * the configured prefix. Values are opaque payloads with a stamp; the adapter
 * wraps them in its envelope (format version, stamp, encoding) and may
 * compress them. Every operation touches exactly one key.
 *
 * Any failure (error, timeout, open circuit) rejects with CacheUnavailableError
 * so the caller can bypass the cache; nothing here ever hangs longer than the
 * adapter's command timeout.
 */

/** What a cached statement was computed from; stamps are ordered by epoch, then version, then as-of date. */
export interface CacheStamp {
  /** Database epoch (bumped after a restore). */
  readonly epoch: bigint;
  /** Data version of the statement's owner (student or school) in the snapshot the statement was read from. */
  readonly version: bigint;
  /** YYYY-MM-DD the statement was computed for. */
  readonly asOfDate: string;
}

export interface CachedEntry {
  readonly stamp: CacheStamp;
  readonly payload: string;
  /** Stored size in bytes (after compression), for metrics. */
  readonly storedBytes: number;
}

/** stored: this fill is now the entry; kept: an entry with an equal or newer stamp was there and stays. */
export type FillOutcome = 'stored' | 'kept';

export class CacheUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CacheUnavailableError';
  }
}

export interface StatementCachePort {
  /** The entry under the key, or null when absent or written in another format version. */
  get(key: string): Promise<CachedEntry | null>;
  /**
   * Compare-and-set: stores the payload only if the key holds nothing, an
   * entry of another format version, or an entry with an older stamp; an
   * older fill therefore never overwrites a newer entry. Atomic.
   */
  fill(key: string, stamp: CacheStamp, payload: string, ttlSeconds: number): Promise<{ outcome: FillOutcome; storedBytes: number }>;
  /** Deletes the keys (to free memory; correctness never depends on it). */
  delete(keys: readonly string[]): Promise<void>;
  /** Deletes every key under the prefix that starts with `keyPrefix` (SCAN on every master, never KEYS); returns how many. */
  deleteMatching(keyPrefix: string): Promise<number>;
  /** How many statement keys exist under the configured prefix (all masters). */
  countKeys(): Promise<number>;
  /**
   * Takes the lease `name` (a helper key: the statement key plus a suffix)
   * for `ttlMs` if nobody holds it; returns a token to release it with, or
   * null when another holder has it.
   */
  acquireLease(name: string, ttlMs: number): Promise<string | null>;
  /** Releases the lease if the token still holds it. */
  releaseLease(name: string, token: string): Promise<void>;
}
