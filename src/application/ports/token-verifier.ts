import type { Actor } from '../../domain/access.js';

/**
 * Checks a bearer token (signature with pinned algorithms, issuer, audience,
 * expiry) and turns its claims into the actor. Fails with a DomainError:
 * AUTH_TOKEN_INVALID or AUTH_TOKEN_EXPIRED (the caller's fault), or
 * AUTH_KEYS_UNAVAILABLE when the keys could not be fetched. Never echoes the
 * token in an error.
 */
export interface TokenVerifier {
  verify(token: string): Promise<Actor>;
}
