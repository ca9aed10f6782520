import { ContainerModule } from 'inversify';
import type { Sequelize } from 'sequelize';
import type { Clock } from '../application/ports/clock.js';
import type { IdGenerator } from '../application/ports/id-generator.js';
import type { StatementCacheMetrics } from '../application/ports/statement-cache-metrics.js';
import type { TokenVerifier } from '../application/ports/token-verifier.js';
import type { StatementCachePort } from '../application/ports/statement-cache-port.js';
import type { CacheSettings, StatementCache } from '../application/statement/statement-cache.js';
import { JsonStatementCodec } from '../infrastructure/cache/index.js';
import { CacheCounterMetrics } from '../infrastructure/metrics/cache-counters.js';
import { sequelizeRepositories } from '../infrastructure/postgres/repositories.js';
import { SequelizeResourceOwnership } from '../infrastructure/postgres/resource-ownership.js';
import { closeSequelize } from '../infrastructure/postgres/sequelize.js';
import { SequelizeStatementReader } from '../infrastructure/postgres/statement-reader.js';
import { SequelizeStatementVersionSource } from '../infrastructure/postgres/statement-versions.js';
import { SequelizeUnitOfWork } from '../infrastructure/postgres/unit-of-work.js';
import { SystemClock } from '../infrastructure/system/system-clock.js';
import { UuidV7Ids } from '../infrastructure/system/uuid-v7-ids.js';
import { type StatementCacheFactory, TOKENS } from './tokens.js';

export interface InfrastructureOverrides {
  /** Tests drive time by hand. */
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /**
   * Replaces the statement cache policy (default: StatementCache over the
   * cache store). For tests that compare the real policy with another one
   * through the same store, e.g. in spawned service processes.
   */
  readonly statementCache?: StatementCacheFactory;
}

export interface InfrastructureOptions {
  readonly sequelize: Sequelize;
  readonly cacheStore: StatementCachePort;
  readonly cacheSettings: CacheSettings;
  /** Checks bearer tokens; null (the default) when authentication is off. */
  readonly tokenVerifier?: TokenVerifier | null;
  /** The statement cache metrics (Prometheus in the service); in-memory counters by default. */
  readonly cacheMetrics?: StatementCacheMetrics;
}

/**
 * The adapters behind the application's ports: PostgreSQL through Sequelize,
 * the statement cache store (Redis or memory, opened by the caller), the
 * system clock, UUIDv7 ids, the token verifier (built by the caller from
 * the configuration).
 */
export function infrastructureModule(options: InfrastructureOptions, overrides: InfrastructureOverrides = {}): ContainerModule {
  return new ContainerModule(({ bind, onDeactivation }) => {
    bind(TOKENS.sequelize).toConstantValue(options.sequelize);
    onDeactivation(TOKENS.sequelize, (instance) => closeSequelize(instance));
    bind(TOKENS.clock).toConstantValue(overrides.clock ?? new SystemClock());
    bind(TOKENS.ids).toConstantValue(overrides.ids ?? new UuidV7Ids());
    bind(TOKENS.cacheStore).toConstantValue(options.cacheStore);
    bind(TOKENS.cacheSettings).toConstantValue(options.cacheSettings);
    bind(TOKENS.cacheMetrics).toConstantValue(options.cacheMetrics ?? new CacheCounterMetrics());
    bind(TOKENS.codec).toConstantValue(new JsonStatementCodec());
    if (overrides.statementCache) bind(TOKENS.statementCacheFactory).toConstantValue(overrides.statementCache);
    bind(TOKENS.unitOfWork)
      .toResolvedValue(
        // After each commit the cache drops the changed statements' keys (to free memory only).
        (db: Sequelize, cache: StatementCache) => new SequelizeUnitOfWork(db, { onCommitted: (changed) => void cache.evict(changed) }),
        [TOKENS.sequelize, TOKENS.statementCache],
      )
      .inSingletonScope();
    bind(TOKENS.repositories)
      .toResolvedValue((db: Sequelize) => sequelizeRepositories(db), [TOKENS.sequelize])
      .inSingletonScope();
    bind(TOKENS.statementReader)
      .toResolvedValue((db: Sequelize) => new SequelizeStatementReader(db), [TOKENS.sequelize])
      .inSingletonScope();
    bind(TOKENS.tokenVerifier).toConstantValue(options.tokenVerifier ?? null);
    bind(TOKENS.ownership)
      .toResolvedValue((db: Sequelize) => new SequelizeResourceOwnership(db), [TOKENS.sequelize])
      .inSingletonScope();
    bind(TOKENS.versionSource)
      .toResolvedValue((db: Sequelize) => new SequelizeStatementVersionSource(db), [TOKENS.sequelize])
      .inSingletonScope();
  });
}
