/** The statement cache adapters, for the composition root. */
export {
  type BreakerState,
  type ClusterNode,
  REDIS_CACHE_DEFAULTS,
  type RedisConnection,
  RedisStatementCache,
  type RedisStatementCacheOptions,
  parseClusterNodes,
} from './redis-statement-cache.js';
export { MEMORY_CACHE_DEFAULTS, MemoryStatementCache, type MemoryStatementCacheOptions } from './memory-statement-cache.js';
export { JsonStatementCodec } from './json-statement-codec.js';
export { DEFAULT_COMPRESSION_THRESHOLD_BYTES, ENVELOPE_FORMAT_VERSION } from './envelope.js';
