import type { Logger } from 'pino';
import type { StatementCachePort } from '../application/ports/statement-cache-port.js';
import type { Config } from '../config.js';
import { MemoryStatementCache, RedisStatementCache, parseClusterNodes } from '../infrastructure/cache/index.js';

export interface CacheBackend {
  readonly store: StatementCachePort;
  /** For the start banner and logs. */
  readonly description: string;
  /** The Redis circuit breaker's state (closed, open, half-open, isolated); absent for the in-process cache. */
  readonly breakerState?: () => string;
  close(): Promise<void>;
}

/**
 * Redis (one server or a cluster) when configured, the bounded in-process
 * cache otherwise. A Redis that is not reachable yet is not an error: reads
 * are answered from PostgreSQL until it is.
 */
export async function openCacheBackend(
  config: Config,
  logger: Logger,
  hooks: { onBreakerStateChange?: (state: string) => void } = {},
): Promise<CacheBackend> {
  if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) {
    return { store: new MemoryStatementCache(), description: 'in-process memory cache', close: async () => undefined };
  }
  const connection = config.REDIS_URL ? { url: config.REDIS_URL } : { clusterNodes: parseClusterNodes(config.REDIS_CLUSTER_NODES!) };
  const store = new RedisStatementCache({
    connection,
    keyPrefix: config.CACHE_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    onError: (error, context) => logger.debug({ err: error, context }, 'redis error'),
    onBreakerStateChange: (state) => {
      (state === 'closed' ? logger.info.bind(logger) : logger.warn.bind(logger))({ state }, 'statement cache circuit breaker');
      hooks.onBreakerStateChange?.(state);
    },
  });
  await store.ready(2_000).catch(() => logger.warn('Redis is not reachable yet: statements are answered from PostgreSQL until it is'));
  const where = config.REDIS_URL ? `Redis at ${new URL(config.REDIS_URL).host}` : `Redis Cluster (${config.REDIS_CLUSTER_NODES})`;
  return {
    store,
    description: config.CACHE_KEY_PREFIX ? `${where}, key prefix "${config.CACHE_KEY_PREFIX}"` : where,
    breakerState: () => store.breakerState,
    close: () => store.close(),
  };
}
