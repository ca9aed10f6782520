import {
  CACHE_EVENTS,
  type CacheCounters,
  type CacheEvent,
  type StatementCacheMetrics,
  type StatementKind,
} from '../../application/ports/statement-cache-metrics.js';

const zero = () => Object.fromEntries(CACHE_EVENTS.map((event) => [event, 0])) as Record<CacheEvent, number>;

/** This replica's cache counters, in memory (read by GetCacheStats). */
export class CacheCounterMetrics implements StatementCacheMetrics {
  private readonly counters: CacheCounters = { student: zero(), school: zero() };
  private readonly compute = { student: { count: 0, totalMs: 0 }, school: { count: 0, totalMs: 0 } };
  private readonly entries = { student: { count: 0, totalBytes: 0 }, school: { count: 0, totalBytes: 0 } };

  count(kind: StatementKind, event: CacheEvent): void {
    this.counters[kind][event] += 1;
  }

  observeComputeMs(kind: StatementKind, ms: number): void {
    this.compute[kind].count += 1;
    this.compute[kind].totalMs += ms;
  }

  observeEntryBytes(kind: StatementKind, bytes: number): void {
    this.entries[kind].count += 1;
    this.entries[kind].totalBytes += bytes;
  }

  snapshot(): CacheCounters {
    return { student: { ...this.counters.student }, school: { ...this.counters.school } };
  }
}
