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
const nonNegativeInt = z.coerce.number().int().min(0);
const path = z.string().min(1);
const MIB = 1024 * 1024;

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
  CACHE_LOCAL_ENTRIES: nonNegativeInt.max(1_000_000).default(2000),
  CACHE_LOCAL_MB: positiveInt.max(64 * 1024).default(32),
  CACHE_KEY_PREFIX: z.string().regex(/^[^\s*?[\]]*$/, 'must not contain spaces or glob characters').default(''),
  // Security (SPEC §7). NODE_ENV=production refuses development shortcuts.
  NODE_ENV: z.string().optional(),
  AUTH_MODE: z.enum(['jwt', 'none']).default('jwt'),
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (an HS256 secret)').optional(),
  AUTH_JWKS_FILE: path.optional(),
  AUTH_JWKS_URL: z.string().regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL').optional(),
  AUTH_ISSUER: z.string().min(1).default('school-billing'),
  AUTH_AUDIENCE: z.string().min(1).default('school-billing'),
  TLS_CERT_FILE: path.optional(),
  TLS_KEY_FILE: path.optional(),
  TLS_CA_FILE: path.optional(),
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: positiveInt.min(1024).max(256 * MIB).default(MIB),
  GRPC_MAX_CONCURRENT_STREAMS: positiveInt.max(100_000).default(100),
  GRPC_KEEPALIVE_TIME_MS: positiveInt.min(1000).default(60_000),
  GRPC_KEEPALIVE_TIMEOUT_MS: positiveInt.min(1000).default(20_000),
  RATE_LIMIT_PER_SECOND: nonNegativeInt.max(1_000_000).default(100),
  RATE_LIMIT_BURST: positiveInt.max(1_000_000).default(200),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  METRICS_PORT: port.default(9464),
  CONNECT_HOST: z.string().min(1).default('0.0.0.0'),
  CONNECT_PORT: port.optional(),
  HEALTH_PROBE_INTERVAL_MS: positiveInt.min(100).max(600_000).default(5000),
});

/** Values never repeated in an error message. */
const SECRET_VARIABLES = new Set(['AUTH_JWT_SECRET']);

const KEY_VARIABLES = ['AUTH_JWT_SECRET', 'AUTH_JWKS_FILE', 'AUTH_JWKS_URL'] as const;

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
    const variable = String(issue.path[0] ?? 'environment');
    const value = present[variable];
    const got = SECRET_VARIABLES.has(variable) && value !== undefined ? `${value.length} characters` : JSON.stringify(value ?? null);
    throw new ConfigError(variable, `(got ${got}): ${issue.message}`);
  }
  const config = parsed.data;
  if (config.REDIS_URL && config.REDIS_CLUSTER_NODES) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'cannot be set together with REDIS_URL (one Redis, or one cluster)');
  }
  checkSecurity(config);
  checkPorts(config);
  return config;
}

export function isProduction(config: Pick<Config, 'NODE_ENV'>): boolean {
  return config.NODE_ENV === 'production';
}

/** The combinations zod cannot see: one key source, production without shortcuts, TLS files in pairs. */
function checkSecurity(config: Config): void {
  const keySources = KEY_VARIABLES.filter((variable) => config[variable] !== undefined);
  if (keySources.length > 1) {
    throw new ConfigError(keySources[1]!, `cannot be set together with ${keySources[0]} (one source of token keys)`);
  }
  if (isProduction(config)) {
    if (config.AUTH_MODE === 'none') {
      throw new ConfigError('AUTH_MODE', '(got "none"): authentication cannot be turned off when NODE_ENV=production');
    }
    if (keySources.length === 0) {
      throw new ConfigError(
        KEY_VARIABLES.join(' / '),
        'not set: NODE_ENV=production needs token keys — set AUTH_JWT_SECRET (an HS256 secret of 32+ characters), AUTH_JWKS_FILE or AUTH_JWKS_URL',
      );
    }
  }
  if ((config.TLS_CERT_FILE === undefined) !== (config.TLS_KEY_FILE === undefined)) {
    throw new ConfigError(config.TLS_CERT_FILE === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE', 'must be set together with TLS_CERT_FILE and TLS_KEY_FILE');
  }
  if (config.TLS_CA_FILE !== undefined && config.TLS_CERT_FILE === undefined) {
    throw new ConfigError('TLS_CA_FILE', 'needs TLS_CERT_FILE and TLS_KEY_FILE (mutual TLS is TLS with client certificates)');
  }
}

/** Fixed ports must differ (0 asks for a free one, and METRICS_PORT=0 is off). */
function checkPorts(config: Config): void {
  if (config.METRICS_PORT !== 0 && config.METRICS_PORT === config.GRPC_PORT) {
    throw new ConfigError('METRICS_PORT', `(got ${config.METRICS_PORT}): must differ from GRPC_PORT`);
  }
  if (config.CONNECT_PORT !== undefined && config.CONNECT_PORT !== 0) {
    for (const other of ['GRPC_PORT', 'METRICS_PORT'] as const) {
      if (config.CONNECT_PORT === config[other]) throw new ConfigError('CONNECT_PORT', `(got ${config.CONNECT_PORT}): must differ from ${other}`);
    }
  }
}
