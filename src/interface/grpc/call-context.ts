import { isIP } from 'node:net';
import { type HandlerContext, createContextKey } from '@connectrpc/connect';
import type { CallVersions } from '../../application/statement/call-versions.js';
import { type Actor, UNAUTHENTICATED_ADMIN } from '../../domain/access.js';
import type { DomainError } from '../../domain/errors.js';

/**
 * Per-call values the transport attaches to the Connect HandlerContext
 * (`context.values`), for interceptors and handlers.
 */

/** The client's address as the transport saw it (`1.2.3.4`, `::1`), without the port. */
export const PEER_ADDRESS = createContextKey<string>('unknown', { description: 'peer address' });

/** Who is calling, as the identify interceptor established it. */
export interface Caller {
  /** Null when authentication failed (`failure` says why). */
  readonly actor: Actor | null;
  readonly failure: DomainError | null;
  /** Whose rate-limit bucket the call takes from: `sub:<subject>`, or `peer:<address>` when unauthenticated. */
  readonly rateKey: string;
}

export const CALLER = createContextKey<Caller | null>(null, { description: 'caller' });

/**
 * The statement versions the call has read so far (authorization reads a
 * student's with the student's school); unset when the call was not
 * authorized (tests over fakes).
 */
export const CALL_VERSIONS = createContextKey<CallVersions | undefined>(undefined, { description: 'statement versions read by the call' });

/**
 * The authenticated actor of a call. A server wired without the identify
 * interceptor does not authenticate (tests over fakes), and every caller is
 * then an unauthenticated administrator, as with AUTH_MODE=none.
 */
export function actorOf(context: HandlerContext): Actor {
  const caller = context.values.get(CALLER);
  if (caller === null) return UNAUTHENTICATED_ADMIN;
  if (caller.actor === null) throw caller.failure ?? new Error('invariant: a caller without actor has a failure');
  return caller.actor;
}

/**
 * grpc-js peer → address without port: `1.2.3.4:5678` (grpc-js writes IPv6
 * as `::1:5678`, unbracketed), `[::1]:5678`, `ipv4:…` forms; IPv4-mapped
 * IPv6 (`::ffff:1.2.3.4`, a server bound on `::`) becomes the IPv4 address.
 */
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^(ipv4|ipv6|unix):/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  const withPort = /^(.*):\d+$/.exec(bare);
  const address = bracketed ? bracketed[1]! : withPort && isIP(withPort[1]!) !== 0 ? withPort[1]! : bare;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}
