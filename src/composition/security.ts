import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../application/ports/token-verifier.js';
import { type Config, ConfigError, isProduction } from '../config.js';
import { ensureDevelopmentSecret } from '../infrastructure/auth/development-secret.js';
import {
  JoseTokenVerifier,
  type VerificationKeys,
  jwksFileKeys,
  jwksUrlKeys,
  secretKey,
} from '../infrastructure/auth/jose-token-verifier.js';
import { issueToken } from '../infrastructure/auth/token-issuer.js';
import { VerifiedTokenCache } from '../infrastructure/auth/verified-token-cache.js';
import { runWithDeadline } from '../infrastructure/postgres/call-deadline.js';
import type { UnaryInterceptor } from '../interface/grpc/interceptors.js';
import { RateLimiter } from '../interface/grpc/rate-limiter.js';
import type { TlsFiles, TransportLimits } from '../interface/grpc/server.js';

/** How long the admin token printed at a development start lasts. */
export const DEVELOPMENT_TOKEN_SECONDS = 24 * 3600;

export interface Authentication {
  /** Null when authentication is off (AUTH_MODE=none). */
  readonly verifier: TokenVerifier | null;
  /** For the start banner: "HS256 secret", "JWKS from …", "development secret in …", "OFF". */
  readonly description: string;
  /** Outside production with no key configured: an admin token signed with the development secret. */
  readonly developmentToken?: string;
}

async function keysOf(config: Config): Promise<VerificationKeys> {
  if (config.AUTH_JWT_SECRET !== undefined) return secretKey(config.AUTH_JWT_SECRET);
  if (config.AUTH_JWKS_FILE !== undefined) {
    try {
      return await jwksFileKeys(config.AUTH_JWKS_FILE);
    } catch (error) {
      throw new ConfigError('AUTH_JWKS_FILE', `(${config.AUTH_JWKS_FILE}) is not a readable JSON Web Key Set: ${(error as Error).message}`);
    }
  }
  return jwksUrlKeys(config.AUTH_JWKS_URL!);
}

/**
 * The token verifier the configuration asks for (SPEC §7): an HS256 secret,
 * a JWKS file or URL; outside production with none of them, a development
 * secret generated once in DATA_DIR and an admin token to start with;
 * AUTH_MODE=none turns authentication off, loudly, on every start.
 * (Production without keys, or with AUTH_MODE=none, never gets here:
 * loadConfig refuses it.)
 */
export async function setUpAuthentication(config: Config, logger: Logger): Promise<Authentication> {
  const rules = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
  if (config.AUTH_MODE === 'none') {
    logger.warn(
      { AUTH_MODE: 'none' },
      'AUTHENTICATION IS OFF (AUTH_MODE=none): every caller acts as an administrator. Development only; never expose this service.',
    );
    return { verifier: null, description: 'OFF (AUTH_MODE=none)' };
  }
  if (config.AUTH_JWT_SECRET !== undefined || config.AUTH_JWKS_FILE !== undefined || config.AUTH_JWKS_URL !== undefined) {
    const keys = await keysOf(config);
    const description =
      config.AUTH_JWT_SECRET !== undefined ? 'HS256 secret (AUTH_JWT_SECRET)' : `JWKS (RS256/ES256) from ${config.AUTH_JWKS_FILE ?? config.AUTH_JWKS_URL}`;
    return { verifier: new VerifiedTokenCache(new JoseTokenVerifier(keys, rules)), description };
  }
  if (isProduction(config)) throw new Error('invariant: loadConfig refuses production without token keys');
  const development = await ensureDevelopmentSecret(config.DATA_DIR);
  logger.warn(
    { secretFile: development.path, created: development.created },
    'no AUTH_JWT_SECRET, AUTH_JWKS_FILE or AUTH_JWKS_URL: tokens are signed with a development secret (refused when NODE_ENV=production)',
  );
  const developmentToken = await issueToken(development.secret, {
    role: 'admin',
    subject: 'development-admin',
    expiresInSeconds: DEVELOPMENT_TOKEN_SECONDS,
    ...rules,
  });
  return {
    verifier: new VerifiedTokenCache(new JoseTokenVerifier(secretKey(development.secret), rules)),
    description: `development secret in ${development.path}`,
    developmentToken,
  };
}

async function readPem(variable: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigError(variable, `(${path}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** TLS_CERT_FILE / TLS_KEY_FILE (/ TLS_CA_FILE for mutual TLS), or undefined for plaintext. */
export async function tlsFiles(config: Config): Promise<TlsFiles | undefined> {
  if (config.TLS_CERT_FILE === undefined || config.TLS_KEY_FILE === undefined) return undefined;
  const [cert, key, ca] = await Promise.all([
    readPem('TLS_CERT_FILE', config.TLS_CERT_FILE),
    readPem('TLS_KEY_FILE', config.TLS_KEY_FILE),
    config.TLS_CA_FILE === undefined ? undefined : readPem('TLS_CA_FILE', config.TLS_CA_FILE),
  ]);
  return { cert, key, ...(ca ? { ca } : {}) };
}

export function transportLimits(config: Config): TransportLimits {
  return {
    maxReceiveMessageBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    maxConcurrentStreams: config.GRPC_MAX_CONCURRENT_STREAMS,
    keepaliveTimeMs: config.GRPC_KEEPALIVE_TIME_MS,
    keepaliveTimeoutMs: config.GRPC_KEEPALIVE_TIMEOUT_MS,
  };
}

/** RATE_LIMIT_PER_SECOND=0 turns the limit off. */
export function rateLimiter(config: Config): RateLimiter | null {
  return config.RATE_LIMIT_PER_SECOND === 0 ? null : new RateLimiter({ perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST });
}

/**
 * Carries each call's deadline and cancellation to the PostgreSQL adapter
 * (infrastructure/postgres/call-deadline.ts), which caps every SQL statement
 * of the call at the time left and never commits after it.
 */
export const databaseDeadline: UnaryInterceptor = (call, next) => {
  const timeoutMs = call.context.timeoutMs();
  const { context } = call;
  return runWithDeadline(
    {
      ...(timeoutMs === undefined ? {} : { expiresAt: Date.now() + timeoutMs }),
      // Asked for only when a statement runs: a call that never reaches SQL never builds one.
      get signal() {
        return context.signal;
      },
    },
    next,
  );
};
