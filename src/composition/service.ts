import 'reflect-metadata';
import { join } from 'node:path';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../infrastructure/postgres/embedded.js';
import { runMigrations } from '../infrastructure/postgres/migrate.js';
import { createSequelize } from '../infrastructure/postgres/sequelize.js';
import type { HealthStatus } from '../interface/grpc/health.js';
import { startGrpcServer } from '../interface/grpc/server.js';
import { applicationModule } from './application-module.js';
import { type InfrastructureOverrides, infrastructureModule } from './infrastructure-module.js';
import { type CacheBackend, openCacheBackend } from './cache-store.js';
import { databaseDeadline, rateLimiter, setUpAuthentication, tlsFiles, transportLimits } from './security.js';
import { TOKENS } from './tokens.js';

// A waiter for another replica's computation looks for its entry this often.
const CACHE_POLL_MS = 10;

export interface RunningService {
  readonly grpcPort: number;
  /** "embedded PostgreSQL on port N" or the configured host, for the start banner. */
  readonly database: string;
  /** Which statement cache serves: Redis, Redis Cluster or memory. */
  readonly cache: string;
  /** How tokens are checked, for the start banner. */
  readonly authentication: string;
  /** Outside production with no key configured: an admin token to start with (printed in the banner). */
  readonly developmentToken?: string;
  /** Whether the port speaks TLS, and whether it requires client certificates. */
  readonly transport: 'plaintext' | 'tls' | 'mtls';
  readonly health: HealthStatus;
  /** Graceful: NOT_SERVING, drain calls, close the pool, stop an embedded database. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root: the one function that knows every layer. It sets up
 * authentication and TLS from the configuration, starts the database
 * (embedded when no DATABASE_URL), migrates, wires adapters to ports with
 * Inversify, and serves gRPC with authentication, rate limit, deadlines down
 * to the database and authorization on every billing call.
 */
export async function startService(config: Config, logger: Logger, overrides: InfrastructureOverrides = {}): Promise<RunningService> {
  // Key material and certificates first: a bad setting fails before anything starts.
  const authentication = await setUpAuthentication(config, logger);
  const tls = await tlsFiles(config);
  let embedded: EmbeddedPostgres | undefined;
  if (!config.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({ dataDir: join(config.DATA_DIR, 'postgres'), onWarning: (message) => logger.warn(message) });
    logger.info({ port: embedded.port, dataDir: join(config.DATA_DIR, 'postgres') }, 'embedded PostgreSQL started');
  }
  const databaseUrl = config.DATABASE_URL ?? embedded!.url;
  const sequelize = createSequelize(databaseUrl, { poolMax: config.DATABASE_POOL_MAX });
  const container = new Container();
  let cache: CacheBackend | undefined;
  try {
    cache = await openCacheBackend(config, logger);
    if (config.MIGRATE_ON_START) {
      const { applied } = await runMigrations(sequelize);
      logger.info({ applied }, 'migrations done');
    }
    const cacheSettings = { ttlSeconds: config.CACHE_TTL_SECONDS, leaseMs: config.CACHE_LEASE_MS, pollMs: CACHE_POLL_MS };
    await container.load(
      infrastructureModule({ sequelize, cacheStore: cache.store, cacheSettings, tokenVerifier: authentication.verifier }, overrides),
      applicationModule,
    );
    const server = await startGrpcServer({
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      useCases: container.get(TOKENS.useCases),
      access: { ...container.get(TOKENS.access), rateLimiter: rateLimiter(config) },
      interceptors: [databaseDeadline],
      ...(tls ? { tls } : {}),
      limits: transportLimits(config),
      reportInternalError: (error, procedure) => logger.error({ err: error, procedure }, 'internal error'),
    });
    let stopping: Promise<void> | undefined;
    return {
      grpcPort: server.port,
      database: embedded ? `embedded PostgreSQL on 127.0.0.1:${embedded.port}` : new URL(databaseUrl).host,
      cache: cache.description,
      authentication: authentication.description,
      ...(authentication.developmentToken ? { developmentToken: authentication.developmentToken } : {}),
      transport: tls === undefined ? 'plaintext' : tls.ca === undefined ? 'tls' : 'mtls',
      health: server.health,
      stop: () =>
        (stopping ??= (async () => {
          await server.shutdown(config.SHUTDOWN_GRACE_MS);
          await container.unbindAll();
          await cache?.close();
          await embedded?.stop();
        })()),
    };
  } catch (error) {
    await cache?.close().catch(() => undefined);
    await sequelize.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}
