import 'reflect-metadata';
import { join } from 'node:path';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import type { BillingUseCases } from '../application/use-cases.js';
import type { Config } from '../config.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../infrastructure/postgres/embedded.js';
import { runMigrations } from '../infrastructure/postgres/migrate.js';
import { createSequelize } from '../infrastructure/postgres/sequelize.js';
import { applicationModule } from './application-module.js';
import { type CacheBackend, openCacheBackend } from './cache-store.js';
import { infrastructureModule } from './infrastructure-module.js';
import { TOKENS } from './tokens.js';

export interface UseCaseRuntime {
  readonly useCases: BillingUseCases;
  /** "embedded PostgreSQL in DIR" or the configured host. */
  readonly database: string;
  close(): Promise<void>;
}

/**
 * The use cases wired as the service wires them (same modules, same
 * database choice: DATABASE_URL or the embedded PostgreSQL under DATA_DIR,
 * same migrations and statement cache), without a listener: for tools that
 * write through the business rules in-process, such as `npm run seed`.
 */
export async function openUseCases(config: Config, logger: Logger): Promise<UseCaseRuntime> {
  let embedded: EmbeddedPostgres | undefined;
  if (!config.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({ dataDir: join(config.DATA_DIR, 'postgres'), onWarning: (message) => logger.warn(message) });
  }
  const databaseUrl = config.DATABASE_URL ?? embedded!.url;
  const sequelize = createSequelize(databaseUrl, { poolMax: config.DATABASE_POOL_MAX });
  const container = new Container();
  let cache: CacheBackend | undefined;
  try {
    cache = await openCacheBackend(config, logger);
    if (config.MIGRATE_ON_START) await runMigrations(sequelize);
    const cacheSettings = { ttlSeconds: config.CACHE_TTL_SECONDS, leaseMs: config.CACHE_LEASE_MS, pollMs: 10 };
    await container.load(infrastructureModule({ sequelize, cacheStore: cache.store, cacheSettings }), applicationModule);
    const openCache = cache;
    return {
      useCases: container.get(TOKENS.useCases),
      database: embedded ? `embedded PostgreSQL in ${join(config.DATA_DIR, 'postgres')}` : new URL(databaseUrl).host,
      async close() {
        await container.unbindAll();
        await openCache.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await cache?.close().catch(() => undefined);
    await sequelize.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}
