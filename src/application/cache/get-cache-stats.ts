import type { CacheCounters, StatementCacheMetrics } from '../ports/statement-cache-metrics.js';
import type { StatementCachePort } from '../ports/statement-cache-port.js';

export interface CacheStats {
  readonly counters: CacheCounters;
  /** Statement keys under the prefix (every master); null when the cache cannot be reached. */
  readonly keyCount: number | null;
}

/** This replica's cache counters and the number of cached statements. */
export class GetCacheStats {
  constructor(
    private readonly store: StatementCachePort,
    private readonly metrics: StatementCacheMetrics,
  ) {}

  async execute(): Promise<CacheStats> {
    const keyCount = await this.store.countKeys().catch(() => null);
    return { counters: this.metrics.snapshot(), keyCount };
  }
}
