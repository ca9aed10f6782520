import { type Actor, UNAUTHENTICATED_ADMIN } from '../../domain/access.js';
import { DomainError } from '../../domain/errors.js';
import type { TokenVerifier } from '../ports/token-verifier.js';

/**
 * Establishes who is calling from the bearer token the transport extracted.
 * With no verifier, authentication is off (AUTH_MODE=none, development only)
 * and every caller acts as an unauthenticated administrator.
 */
export class Authenticate {
  constructor(private readonly verifier: TokenVerifier | null) {}

  get enabled(): boolean {
    return this.verifier !== null;
  }

  async execute(token: string | null): Promise<Actor> {
    if (this.verifier === null) return UNAUTHENTICATED_ADMIN;
    if (token === null) throw new DomainError('AUTH_TOKEN_MISSING', 'this call needs a bearer token in the authorization metadata');
    return this.verifier.verify(token);
  }
}
