import type { UseCaseDependencies } from '../../src/composition/application-module.js';
import { type CachePolicyHooks, StatementCache } from '../../src/application/statement/statement-cache.js';
import { VersionBatcher } from '../../src/application/statement/version-batcher.js';
import { CacheCounterMetrics } from '../../src/infrastructure/metrics/cache-counters.js';
import { FakeClock } from './fake-clock.js';
import { FakeStatementCacheStore } from './fake-statement-cache-store.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from './in-memory-repositories.js';
import { InMemoryState } from './in-memory-state.js';
import { InMemoryStatementReader } from './in-memory-statement-reader.js';
import { InMemoryStatementVersions } from './in-memory-statement-versions.js';
import { SequentialIds } from './sequential-ids.js';
import { testStatementCodec } from './test-statement-codec.js';

export interface FakeBillingOptions {
  /** Seams of the cache policy where tests interleave writes. */
  readonly hooks?: CachePolicyHooks;
  /** Drop cache keys after commits (default true); false acts as if every invalidation were lost. */
  readonly evictOnCommit?: boolean;
  readonly leaseMs?: number;
  /** The in-process tier's size (default: the policy's). */
  readonly nearEntries?: number;
}

/** Every port of the application, faked, sharing one in-memory state; the cache policy over a fake store. */
export function fakeBilling(start?: string, options: FakeBillingOptions = {}) {
  const state = new InMemoryState();
  const clock = new FakeClock(start);
  const uow = new InMemoryUnitOfWork(state);
  const repositories = inMemoryRepositories(state);
  const cacheStore = new FakeStatementCacheStore();
  const cacheMetrics = new CacheCounterMetrics();
  const versionSource = new InMemoryStatementVersions(state);
  const settings = {
    ttlSeconds: 3600,
    leaseMs: options.leaseMs ?? 200,
    pollMs: 5,
    ...(options.nearEntries !== undefined ? { nearEntries: options.nearEntries } : {}),
  };
  const statementCache = new StatementCache(cacheStore, clock, cacheMetrics, settings, options.hooks);
  if (options.evictOnCommit !== false) uow.onCommitted = (changed) => void statementCache.evict(changed);
  const dependencies: UseCaseDependencies = {
    uow,
    repositories,
    reader: new InMemoryStatementReader(state),
    clock,
    ids: new SequentialIds(),
    cacheStore,
    cacheMetrics,
    statementCache,
    versions: new VersionBatcher(versionSource, (run) => setImmediate(run)),
    codec: testStatementCodec,
  };
  return { ...dependencies, ...repositories, clock, uow, cacheStore, state, versionSource, dependencies };
}

export type FakeBilling = ReturnType<typeof fakeBilling>;
