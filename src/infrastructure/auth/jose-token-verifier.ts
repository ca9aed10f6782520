import { readFile } from 'node:fs/promises';
import {
  type JWTVerifyGetKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
} from 'jose';
import type { TokenVerifier } from '../../application/ports/token-verifier.js';
import { type Actor, actorFromClaims } from '../../domain/access.js';
import { DomainError } from '../../domain/errors.js';

/** Where the verification keys come from: one HS256 secret, or a JWKS (RS256 / ES256). */
export type VerificationKeys =
  | { readonly kind: 'secret'; readonly secret: Uint8Array }
  | { readonly kind: 'jwks'; readonly keys: JWTVerifyGetKey };

export interface TokenRules {
  /** Expected `iss`. */
  readonly issuer: string;
  /** Expected `aud` (the token may name several audiences; one must be this). */
  readonly audience: string;
  /** Seconds of clock skew accepted on `exp` and `nbf` (default 30). */
  readonly clockToleranceSeconds?: number;
}

/** Algorithms are pinned by key kind: a token cannot choose how it is checked (no `none`, no HS/RS confusion). */
export const SECRET_ALGORITHMS = ['HS256'] as const;
export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export function secretKey(secret: string): VerificationKeys {
  return { kind: 'secret', secret: new TextEncoder().encode(secret) };
}

/** A JWKS file, read once at start; a file that is not a JWKS fails here, not on the first call. */
export async function jwksFileKeys(path: string): Promise<VerificationKeys> {
  const text = await readFile(path, 'utf8');
  return { kind: 'jwks', keys: createLocalJWKSet(JSON.parse(text) as Parameters<typeof createLocalJWKSet>[0]) };
}

/**
 * A JWKS fetched over HTTP(S) and cached (10 minutes; a token with an unknown
 * `kid` refetches at most every 30 s); a fetch times out after 5 s.
 */
export function jwksUrlKeys(url: string): VerificationKeys {
  const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      // A key the set does not hold is the token's fault; anything else (network, timeout, HTTP status, bad JSON) is the key server's.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new KeysUnavailable({ cause: error });
    }
  };
  return { kind: 'jwks', keys };
}

class KeysUnavailable extends Error {
  constructor(options: { cause: unknown }) {
    super('the JWKS could not be fetched', options);
    this.name = 'KeysUnavailable';
  }
}

function invalid(detail: string): DomainError {
  return new DomainError('AUTH_TOKEN_INVALID', `the token is not valid: ${detail}`);
}

/** A jose failure → the error the caller sees; never the token itself. */
function failureOf(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof errors.JWTExpired) return new DomainError('AUTH_TOKEN_EXPIRED', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return invalid(`the "${error.claim}" claim is ${error.reason === 'missing' ? 'missing' : 'not accepted'}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('its signing algorithm is not accepted');
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('the signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return invalid('no single key of the key set matches it');
  }
  if (error instanceof KeysUnavailable) {
    return new DomainError('AUTH_KEYS_UNAVAILABLE', 'the token signing keys could not be fetched; retry later');
  }
  // Anything else jose refuses (bad encoding, bad header, bad JSON) is a malformed token.
  return invalid('it is malformed');
}

/**
 * Bearer JWTs checked with jose: signature under the pinned algorithms,
 * issuer, audience, expiry (required) and not-before, with a small clock
 * tolerance; the claims then become the actor (domain/access.ts).
 */
export class JoseTokenVerifier implements TokenVerifier {
  constructor(
    private readonly keys: VerificationKeys,
    private readonly rules: TokenRules,
  ) {}

  async verify(token: string): Promise<Actor> {
    const options = {
      algorithms: [...(this.keys.kind === 'secret' ? SECRET_ALGORITHMS : JWKS_ALGORITHMS)],
      issuer: this.rules.issuer,
      audience: this.rules.audience,
      clockTolerance: this.rules.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub'],
    };
    try {
      const { payload } =
        this.keys.kind === 'secret' ? await jwtVerify(token, this.keys.secret, options) : await jwtVerify(token, this.keys.keys, options);
      return actorFromClaims(payload);
    } catch (error) {
      throw failureOf(error);
    }
  }
}
