export type StatementKind = 'student' | 'school';

/** What the statement cache counts, per kind of statement. */
export type CacheEvent =
  /** Served from the cache. */
  | 'hit'
  /** Computed from the database (absent, stale or not yet computed entry). */
  | 'miss'
  /** The cache was unavailable; answered from the database. */
  | 'bypass'
  /** A cache operation failed (each failure, also those that end in a bypass). */
  | 'error'
  /** An entry was found but rejected: other version, epoch or as-of date. */
  | 'stale_rejected'
  /** A statement was computed from the database. */
  | 'computation'
  | 'fill_stored'
  /** A fill lost the compare-and-set to an equal or newer entry. */
  | 'fill_kept'
  | 'fill_failed'
  /** A miss waited for another replica's computation (lease held elsewhere). */
  | 'lease_wait'
  /** A wait ended at the lease time and the waiter computed itself. */
  | 'lease_expired';

export const CACHE_EVENTS: readonly CacheEvent[] = [
  'hit',
  'miss',
  'bypass',
  'error',
  'stale_rejected',
  'computation',
  'fill_stored',
  'fill_kept',
  'fill_failed',
  'lease_wait',
  'lease_expired',
];

/** This replica's counts since start. */
export type CacheCounters = Record<StatementKind, Record<CacheEvent, number>>;

export interface StatementCacheMetrics {
  count(kind: StatementKind, event: CacheEvent): void;
  /** Time to compute a statement from the database. */
  observeComputeMs(kind: StatementKind, ms: number): void;
  /** Stored size of an entry written to the cache. */
  observeEntryBytes(kind: StatementKind, bytes: number): void;
  snapshot(): CacheCounters;
}
