import type { ServiceIdentifier } from 'inversify';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { Clock } from '../application/ports/clock.js';
import type { IdGenerator } from '../application/ports/id-generator.js';
import type { StatementReader } from '../application/ports/statement-reader.js';
import type { Repositories, UnitOfWork } from '../application/ports/unit-of-work.js';
import type { BillingUseCases } from '../application/use-cases.js';
import type { ResourceOwnership } from '../application/ports/resource-ownership.js';
import type { TokenVerifier } from '../application/ports/token-verifier.js';
import type { AccessUseCases } from '../application/access/access-use-cases.js';
import type { StatementCacheMetrics } from '../application/ports/statement-cache-metrics.js';
import type { StatementCachePort } from '../application/ports/statement-cache-port.js';
import type { StatementCodec } from '../application/ports/statement-codec.js';
import type { StatementVersionSource } from '../application/ports/statement-versions.js';
import type { CacheSettings, StatementCache } from '../application/statement/statement-cache.js';
import type { VersionBatcher } from '../application/statement/version-batcher.js';

/** What the statement cache policy is built from. */
export interface StatementCacheParts {
  readonly store: StatementCachePort;
  readonly clock: Clock;
  readonly metrics: StatementCacheMetrics;
  readonly settings: CacheSettings;
}

/**
 * Builds the statement cache policy. Production binds none and uses
 * StatementCache; tests may bind one (InfrastructureOverrides.statementCache)
 * to run the service with another policy.
 */
export type StatementCacheFactory = (parts: StatementCacheParts) => StatementCache;

/** Every injection token, in one place. */
export const TOKENS = {
  logger: Symbol('Logger') as ServiceIdentifier<Logger>,
  sequelize: Symbol('Sequelize') as ServiceIdentifier<Sequelize>,
  clock: Symbol('Clock') as ServiceIdentifier<Clock>,
  ids: Symbol('IdGenerator') as ServiceIdentifier<IdGenerator>,
  unitOfWork: Symbol('UnitOfWork') as ServiceIdentifier<UnitOfWork>,
  /** Repositories outside any transaction, for reads. */
  repositories: Symbol('Repositories') as ServiceIdentifier<Repositories>,
  statementReader: Symbol('StatementReader') as ServiceIdentifier<StatementReader>,
  cacheStore: Symbol('StatementCachePort') as ServiceIdentifier<StatementCachePort>,
  cacheMetrics: Symbol('StatementCacheMetrics') as ServiceIdentifier<StatementCacheMetrics>,
  cacheSettings: Symbol('CacheSettings') as ServiceIdentifier<CacheSettings>,
  versionSource: Symbol('StatementVersionSource') as ServiceIdentifier<StatementVersionSource>,
  codec: Symbol('StatementCodec') as ServiceIdentifier<StatementCodec>,
  statementCache: Symbol('StatementCache') as ServiceIdentifier<StatementCache>,
  /** Optional: bound only when an override replaces the statement cache policy. */
  statementCacheFactory: Symbol('StatementCacheFactory') as ServiceIdentifier<StatementCacheFactory>,
  versions: Symbol('VersionBatcher') as ServiceIdentifier<VersionBatcher>,
  useCases: Symbol('BillingUseCases') as ServiceIdentifier<BillingUseCases>,
  /** Null when authentication is off (AUTH_MODE=none). */
  tokenVerifier: Symbol('TokenVerifier') as ServiceIdentifier<TokenVerifier | null>,
  ownership: Symbol('ResourceOwnership') as ServiceIdentifier<ResourceOwnership>,
  access: Symbol('AccessUseCases') as ServiceIdentifier<AccessUseCases>,
} as const;
