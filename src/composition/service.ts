import 'reflect-metadata';
import { join } from 'node:path';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { type MetricsServer, startMetricsServer } from '../infrastructure/metrics/metrics-server.js';
import { ServiceMetrics } from '../infrastructure/metrics/prometheus.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../infrastructure/postgres/embedded.js';
import { runMigrations } from '../infrastructure/postgres/migrate.js';
import { probeDatabase } from '../infrastructure/postgres/probe.js';
import { createSequelize } from '../infrastructure/postgres/sequelize.js';
import { type RunningConnectServer, startConnectServer } from '../interface/connect/connect-server.js';
import { type HealthStatus, ServingStatus } from '../interface/grpc/health.js';
import { metricsInterceptor, requestLogInterceptor } from '../interface/grpc/observability.js';
import { type RunningGrpcServer, callInterceptors, startGrpcServer } from '../interface/grpc/server.js';
import { applicationModule } from './application-module.js';
import { type CacheBackend, openCacheBackend } from './cache-store.js';
import { type InfrastructureOverrides, infrastructureModule } from './infrastructure-module.js';
import { type ReadinessWatch, watchReadiness } from './readiness.js';
import { databaseDeadline, rateLimiter, setUpAuthentication, tlsFiles, transportLimits } from './security.js';
import { TOKENS } from './tokens.js';

// A waiter for another replica's computation looks for its entry this often.
const CACHE_POLL_MS = 10;
// The readiness probe's own bound (connect + SELECT 1), at most its interval.
const PROBE_TIMEOUT_MS = 2_000;

export interface RunningService {
  readonly grpcPort: number;
  /** The Connect / gRPC-Web / JSON listener's port, when CONNECT_PORT is set. */
  readonly connectPort?: number;
  /** The Prometheus endpoint's port, unless METRICS_PORT=0. */
  readonly metricsPort?: number;
  /** This replica's metrics registry (also served on metricsPort). */
  readonly metrics: ServiceMetrics;
  /** "embedded PostgreSQL on port N" or the configured host, for the start banner. */
  readonly database: string;
  /** Which statement cache serves: Redis, Redis Cluster or memory. */
  readonly cache: string;
  /** How tokens are checked, for the start banner. */
  readonly authentication: string;
  /** Outside production with no key configured: an admin token to start with (printed in the banner). */
  readonly developmentToken?: string;
  /** Whether the gRPC port speaks TLS, and whether it requires client certificates. */
  readonly transport: 'plaintext' | 'tls' | 'mtls';
  readonly health: HealthStatus;
  /** Graceful: NOT_SERVING, drain calls, close the pools, stop an embedded database. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root: the one function that knows every layer. It sets up
 * authentication and TLS from the configuration (a bad setting fails before
 * anything starts), starts the database (embedded when no DATABASE_URL),
 * opens the cache and the metrics endpoint, migrates, wires adapters to ports
 * with Inversify, and serves gRPC (and Connect, when CONNECT_PORT is set).
 * Every billing call on either listener goes through one chain: request log
 * and metrics, authentication, rate limit, the call's deadline down to the
 * database, authorization.
 *
 * Readiness: the listeners open only after the migrations, and
 * grpc.health.v1 starts NOT_SERVING; a `SELECT 1` probe on a connection of
 * its own flips it to SERVING before this function returns (when PostgreSQL
 * answers), then runs every HEALTH_PROBE_INTERVAL_MS and flips it back to
 * NOT_SERVING while PostgreSQL does not answer.
 */
export async function startService(config: Config, logger: Logger, overrides: InfrastructureOverrides = {}): Promise<RunningService> {
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
  const metrics = new ServiceMetrics();
  metrics.observePool(sequelize);
  let cache: CacheBackend | undefined;
  let metricsServer: MetricsServer | undefined;
  let server: RunningGrpcServer | undefined;
  let connect: RunningConnectServer | undefined;
  let readiness: ReadinessWatch | undefined;
  try {
    cache = await openCacheBackend(config, logger, { onBreakerStateChange: (state) => metrics.breakerStateChanged(state) });
    if (cache.breakerState) metrics.observeBreaker(cache.breakerState);
    if (config.METRICS_PORT !== 0) {
      // Scrapeable from the start: a slow migration or an unreachable database shows up in the process metrics.
      metrics.collectProcessMetrics();
      metricsServer = await startMetricsServer({
        host: config.METRICS_HOST,
        port: config.METRICS_PORT,
        exposition: () => metrics.exposition(),
        onError: (error) => logger.error({ err: error }, 'metrics collection failed'),
      });
    }
    if (config.MIGRATE_ON_START) {
      const { applied } = await runMigrations(sequelize);
      logger.info({ applied }, 'migrations done');
    }
    const cacheSettings = {
      ttlSeconds: config.CACHE_TTL_SECONDS,
      leaseMs: config.CACHE_LEASE_MS,
      pollMs: CACHE_POLL_MS,
      nearEntries: config.CACHE_LOCAL_ENTRIES,
      nearBytes: config.CACHE_LOCAL_MB * 1024 * 1024,
    };
    await container.load(
      infrastructureModule(
        { sequelize, cacheStore: cache.store, cacheSettings, cacheMetrics: metrics.cache, tokenVerifier: authentication.verifier },
        overrides,
      ),
      applicationModule,
    );
    const useCases = container.get(TOKENS.useCases);
    const reportInternalError = (error: unknown, procedure: string) => logger.error({ err: error, procedure }, 'internal error');
    // Outermost first: every call is logged and counted, whatever the security inside decides.
    const interceptors = callInterceptors(
      { ...container.get(TOKENS.access), rateLimiter: rateLimiter(config) },
      {
        // The per-call line holds only fields the interceptor chose (never metadata): redaction,
        // a measurable cost on every call, is left to the other log lines.
        outer: [requestLogInterceptor(logger.child({}, { redact: [] })), metricsInterceptor(metrics.rpc)],
        inner: [databaseDeadline],
      },
    );
    const grpcServer = await startGrpcServer({
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      useCases,
      interceptors,
      ...(tls ? { tls } : {}),
      limits: transportLimits(config),
      initialHealth: ServingStatus.NOT_SERVING,
      reportInternalError,
    });
    server = grpcServer;
    metrics.observeReadiness(() => grpcServer.health.get('') === ServingStatus.SERVING);
    if (config.CONNECT_PORT !== undefined) {
      connect = await startConnectServer({
        host: config.CONNECT_HOST,
        port: config.CONNECT_PORT,
        useCases,
        health: grpcServer.health,
        interceptors,
        readMaxBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
        reportInternalError,
      });
    }
    readiness = await watchReadiness({
      probe: () => probeDatabase(sequelize, Math.min(PROBE_TIMEOUT_MS, config.HEALTH_PROBE_INTERVAL_MS)),
      intervalMs: config.HEALTH_PROBE_INTERVAL_MS,
      onChange: (ready) => grpcServer.health.setAll(ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING),
      logger,
    });
    const watch = readiness;
    const connectServer = connect;
    const openCache = cache;
    const scrape = metricsServer;
    let stopping: Promise<void> | undefined;
    return {
      grpcPort: grpcServer.port,
      ...(connectServer ? { connectPort: connectServer.port } : {}),
      ...(scrape ? { metricsPort: scrape.port } : {}),
      metrics,
      database: embedded ? `embedded PostgreSQL on 127.0.0.1:${embedded.port}` : new URL(databaseUrl).host,
      cache: openCache.description,
      authentication: authentication.description,
      ...(authentication.developmentToken ? { developmentToken: authentication.developmentToken } : {}),
      transport: tls === undefined ? 'plaintext' : tls.ca === undefined ? 'tls' : 'mtls',
      health: grpcServer.health,
      stop: () =>
        (stopping ??= (async () => {
          watch.stop();
          await Promise.all([grpcServer.shutdown(config.SHUTDOWN_GRACE_MS), connectServer?.shutdown(config.SHUTDOWN_GRACE_MS)]);
          await container.unbindAll();
          await openCache.close();
          await scrape?.close();
          await embedded?.stop();
        })()),
    };
  } catch (error) {
    readiness?.stop();
    await connect?.shutdown(0).catch(() => undefined);
    await server?.shutdown(0).catch(() => undefined);
    await metricsServer?.close().catch(() => undefined);
    await cache?.close().catch(() => undefined);
    await sequelize.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}
