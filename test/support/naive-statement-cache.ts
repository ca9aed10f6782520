/**
 * The seed's cache design, kept only to show that the stale-read checker
 * catches what it gets wrong (test/e2e/stale-read-checker.test.ts):
 *
 * - a read serves whatever entry is in the key: no version, epoch or as-of
 *   check, and no version read at all;
 * - a miss computes and then fills with what amounts to an unconditional
 *   SET: it goes through the real cache port (Redis adapter, fill script),
 *   but with a stamp that beats every earlier one, so the last fill to reach
 *   Redis wins whatever snapshot it was computed from;
 * - after a commit the changed keys are deleted (inherited `evict`).
 *
 * No single flight, no lease. Never used outside tests.
 */
import type { Clock } from '../../src/application/ports/clock.js';
import type { StatementCacheMetrics } from '../../src/application/ports/statement-cache-metrics.js';
import type { CacheStamp, CachedEntry, StatementCachePort } from '../../src/application/ports/statement-cache-port.js';
import { type CacheSettings, type CachedRead, StatementCache, type StatementRead } from '../../src/application/statement/statement-cache.js';

let sequence = 0n;

/**
 * A stamp newer than any earlier one, in this process and (to the
 * millisecond) in others: the fill script then always stores, as a plain SET
 * would. Epoch = wall-clock milliseconds x 1000 plus a counter, far above any
 * real database epoch.
 */
function alwaysNewerStamp(): CacheStamp {
  sequence = (sequence + 1n) % 1000n;
  return { epoch: BigInt(Date.now()) * 1000n + sequence, version: 0n, asOfDate: '9999-12-31' };
}

export class NaiveStatementCache extends StatementCache {
  constructor(
    private readonly backing: StatementCachePort,
    clock: Clock,
    private readonly counters: StatementCacheMetrics,
    private readonly cacheSettings: CacheSettings,
  ) {
    super(backing, clock, counters, cacheSettings);
  }

  override async read<T>(request: StatementRead<T>): Promise<CachedRead<T>> {
    let cached: CachedEntry | null;
    try {
      cached = await this.backing.get(request.key);
    } catch {
      this.counters.count(request.kind, 'error');
      this.counters.count(request.kind, 'bypass');
      return { value: await this.computeValue(request), status: 'bypass' };
    }
    if (cached !== null) {
      try {
        const value = request.decode(cached.payload);
        this.counters.count(request.kind, 'hit');
        return { value, status: 'hit' };
      } catch {
        this.counters.count(request.kind, 'error');
      }
    }
    this.counters.count(request.kind, 'miss');
    const value = await this.computeValue(request);
    try {
      await this.backing.fill(request.key, alwaysNewerStamp(), request.encode(value), this.cacheSettings.ttlSeconds);
      this.counters.count(request.kind, 'fill_stored');
    } catch {
      this.counters.count(request.kind, 'fill_failed');
    }
    return { value, status: 'miss' };
  }

  private async computeValue<T>(request: StatementRead<T>): Promise<T> {
    const started = performance.now();
    const { value } = await request.compute();
    this.counters.count(request.kind, 'computation');
    this.counters.observeComputeMs(request.kind, performance.now() - started);
    return value;
  }
}
