import { z } from 'zod';

/**
 * Every setting comes from the environment and is validated once at start;
 * a bad value stops the service with a message naming the variable. The
 * README's configuration table lists the same variables.
 */
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL');
const redisUrl = z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL');
const clusterNodes = z.string().regex(/^\s*[^,\s]+:\d{1,5}(\s*,\s*[^,\s]+:\d{1,5})*\s*$/, 'must be host:port,host:port,...');

const schema = z.object({
  GRPC_HOST: z.string().min(1).default('0.0.0.0'),
  GRPC_PORT: port.default(50051),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: positiveInt.max(1000).default(20),
  MIGRATE_ON_START: flag.default(true),
  DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  REDIS_URL: redisUrl.optional(),
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.max(60_000).default(100),
  CACHE_TTL_SECONDS: positiveInt.max(30 * 86_400).default(3600),
  CACHE_LEASE_MS: positiveInt.max(600_000).default(5000),
  CACHE_KEY_PREFIX: z.string().regex(/^[^\s*?[\]]*$/, 'must not contain spaces or glob characters').default(''),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  METRICS_PORT: port.default(9464),
  CONNECT_HOST: z.string().min(1).default('0.0.0.0'),
  CONNECT_PORT: port.optional(),
  HEALTH_PROBE_INTERVAL_MS: positiveInt.min(100).max(600_000).default(5000),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in docker-compose files and shells.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), `(got ${JSON.stringify(present[String(issue.path[0])] ?? null)}): ${issue.message}`);
  }
  const config = parsed.data;
  if (config.REDIS_URL && config.REDIS_CLUSTER_NODES) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'cannot be set together with REDIS_URL (one Redis, or one cluster)');
  }
  // Fixed ports must differ (0 asks for a free one, and METRICS_PORT=0 is off).
  if (config.METRICS_PORT !== 0 && config.METRICS_PORT === config.GRPC_PORT) {
    throw new ConfigError('METRICS_PORT', `(got ${config.METRICS_PORT}): must differ from GRPC_PORT`);
  }
  if (config.CONNECT_PORT !== undefined && config.CONNECT_PORT !== 0) {
    for (const other of ['GRPC_PORT', 'METRICS_PORT'] as const) {
      if (config.CONNECT_PORT === config[other]) throw new ConfigError('CONNECT_PORT', `(got ${config.CONNECT_PORT}): must differ from ${other}`);
    }
  }
  return config;
}
