import { decodeJwt } from 'jose';
import type { TokenVerifier } from '../../application/ports/token-verifier.js';
import type { Actor } from '../../domain/access.js';

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the oldest go first. Default 10,000. */
  readonly maxTokens?: number;
  /** A verified token is trusted again without checking for at most this long. Default 60 s. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/**
 * Remembers tokens that verified, so a caller that sends the same token on
 * every call (service-to-service callers do) pays the signature check once a
 * minute instead of once a call. A remembered token is never trusted past its
 * own `exp`, nor longer than `maxAgeMs` (so a key removed from a JWKS stops
 * being trusted within a minute). Failures are not remembered.
 */
export class VerifiedTokenCache implements TokenVerifier {
  private readonly verified = new Map<string, { actor: Actor; until: number }>();
  private readonly maxTokens: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: TokenVerifier,
    options: VerifiedTokenCacheOptions = {},
  ) {
    this.maxTokens = options.maxTokens ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<Actor> {
    const now = this.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return known.actor;
    if (known) this.verified.delete(token);
    const actor = await this.inner.verify(token);
    const { exp } = decodeJwt(token);
    const until = Math.min(now + this.maxAgeMs, typeof exp === 'number' ? exp * 1000 : now);
    if (until > now) {
      if (this.verified.size >= this.maxTokens) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { actor, until });
    }
    return actor;
  }
}
