import type { Authenticate } from '../../application/access/authenticate.js';
import type { Authorize } from '../../application/access/authorize.js';
import { CallVersions } from '../../application/statement/call-versions.js';
import type { Actor } from '../../domain/access.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { accessRuleFor } from './access-rules.js';
import { CALLER, CALL_VERSIONS, type Caller, PEER_ADDRESS } from './call-context.js';
import type { UnaryInterceptor } from './interceptors.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * The security interceptors, in this order around every billing call:
 *
 * 1. `identify` reads the bearer token from the `authorization` metadata and
 *    authenticates it; the outcome (actor, or why not) goes into the call's
 *    context. It never answers by itself, so that
 * 2. `rateLimit` can charge every call, failed ones included, to its caller:
 *    the token subject, or the peer address when there is no valid token;
 * 3. `authorize` answers UNAUTHENTICATED for a failed authentication, then
 *    checks the method's access rule (access-rules.ts) before the handler
 *    reads anything. What it read on the way (a student's statement
 *    version) goes into the call's CALL_VERSIONS for the handler.
 *
 * Health and reflection are not billing services and are not intercepted:
 * they stay callable without a token.
 */

const BEARER = /^Bearer +([^\s]+) *$/i;

/** `authorization` metadata → the token, null when absent; any other form is AUTH_TOKEN_INVALID (never echoed). */
export function bearerToken(headers: Headers): string | null {
  const value = headers.get('authorization');
  if (value === null || value.trim() === '') return null;
  const match = BEARER.exec(value);
  if (!match) throw new DomainError('AUTH_TOKEN_INVALID', 'the authorization metadata must be "Bearer <token>"');
  return match[1]!;
}

function rateKeyOf(actor: Actor | null, peer: string): string {
  return actor !== null && actor.subject !== null ? `sub:${actor.subject}` : `peer:${peer}`;
}

export function identify(authenticate: Authenticate): UnaryInterceptor {
  return async (call, next) => {
    const peer = call.context.values.get(PEER_ADDRESS);
    let caller: Caller;
    try {
      const actor = await authenticate.execute(bearerToken(call.context.requestHeader));
      caller = { actor, failure: null, rateKey: rateKeyOf(actor, peer) };
    } catch (error) {
      if (!isDomainError(error)) throw error;
      caller = { actor: null, failure: error, rateKey: rateKeyOf(null, peer) };
    }
    call.context.values.set(CALLER, caller);
    return next();
  };
}

export function rateLimit(limiter: RateLimiter): UnaryInterceptor {
  return async (call, next) => {
    const caller = call.context.values.get(CALLER);
    const key = caller?.rateKey ?? `peer:${call.context.values.get(PEER_ADDRESS)}`;
    if (!limiter.take(key)) throw new DomainError('RATE_LIMITED', 'too many calls from this caller; slow down and retry');
    return next();
  };
}

export function authorize(policy: Authorize): UnaryInterceptor {
  return async (call, next) => {
    const caller = call.context.values.get(CALLER);
    if (caller === null) throw new Error('invariant: authorize runs after identify');
    if (caller.actor === null) throw caller.failure!;
    const rule = accessRuleFor(call.service, call.method);
    // Fail closed: a method nobody declared is nobody's to call.
    if (rule === undefined) throw new Error(`no access rule for ${call.service.typeName}/${call.method.name}`);
    const read = new CallVersions();
    call.context.values.set(CALL_VERSIONS, read);
    await policy.execute(caller.actor, rule(call.request as never), read);
    return next();
  };
}
