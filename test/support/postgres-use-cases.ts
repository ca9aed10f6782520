import type { Sequelize } from 'sequelize';
import { StatementCache } from '../../src/application/statement/statement-cache.js';
import { VersionBatcher } from '../../src/application/statement/version-batcher.js';
import { type UseCaseDependencies, buildUseCases } from '../../src/composition/application-module.js';
import { CacheCounterMetrics } from '../../src/infrastructure/metrics/cache-counters.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { SequelizeStatementReader } from '../../src/infrastructure/postgres/statement-reader.js';
import { SequelizeStatementVersionSource } from '../../src/infrastructure/postgres/statement-versions.js';
import { SequelizeUnitOfWork } from '../../src/infrastructure/postgres/unit-of-work.js';
import { UuidV7Ids } from '../../src/infrastructure/system/uuid-v7-ids.js';
import type { FakeClock } from '../fakes/fake-clock.js';
import { FakeStatementCacheStore } from '../fakes/fake-statement-cache-store.js';
import { testStatementCodec } from '../fakes/test-statement-codec.js';

/** The use cases over the PostgreSQL adapters, a hand-driven clock and a fake cache store. */
export function postgresUseCases(sequelize: Sequelize, clock: FakeClock) {
  const cacheStore = new FakeStatementCacheStore();
  const cacheMetrics = new CacheCounterMetrics();
  const statementCache = new StatementCache(cacheStore, clock, cacheMetrics, { ttlSeconds: 3600, leaseMs: 200, pollMs: 5 });
  const dependencies: UseCaseDependencies = {
    uow: new SequelizeUnitOfWork(sequelize, { onCommitted: (changed) => void statementCache.evict(changed) }),
    repositories: sequelizeRepositories(sequelize),
    reader: new SequelizeStatementReader(sequelize),
    clock,
    ids: new UuidV7Ids(),
    cacheStore,
    cacheMetrics,
    statementCache,
    versions: new VersionBatcher(new SequelizeStatementVersionSource(sequelize), (run) => setImmediate(run)),
    codec: testStatementCodec,
  };
  return { useCases: buildUseCases(dependencies), ...dependencies };
}
