import type { DescService } from '@bufbuild/protobuf';
import { setMaxListeners } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { Authenticate } from '../../application/access/authenticate.js';
import type { Authorize } from '../../application/access/authorize.js';
import type { BillingUseCases } from '../../application/use-cases.js';
import { Health } from '../../gen/grpc/health/v1/health_pb.js';
import type { InternalErrorReporter } from './errors.js';
import { type BridgeOptions, addConnectService } from './grpc-bridge.js';
import { HealthStatus, ServingStatus, healthService } from './health.js';
import { type UnaryInterceptor, intercept } from './interceptors.js';
import { methodsWithoutRule } from './access-rules.js';
import type { RateLimiter } from './rate-limiter.js';
import { addReflection } from './reflection.js';
import { authorize, identify, rateLimit } from './security.js';
import { billingServiceDescriptors, billingServices } from './services/index.js';

export interface GrpcServerOptions {
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly useCases: BillingUseCases;
  /** TLS, or mutual TLS when `ca` is given; default plaintext. */
  readonly tls?: TlsFiles;
  /** Default plaintext; overrides `tls` (tests bring their own credentials). */
  readonly credentials?: grpc.ServerCredentials;
  readonly limits?: TransportLimits;
  /** Further grpc-js channel options (applied after `limits`). */
  readonly serverOptions?: grpc.ServerOptions;
  readonly reportInternalError?: InternalErrorReporter;
  /**
   * Around every unary billing call, first one outermost (health and
   * reflection are not intercepted): the service passes `callInterceptors`,
   * security included; tests over fakes may pass none.
   */
  readonly interceptors?: readonly UnaryInterceptor[];
  /** What grpc.health.v1 says until told otherwise (default SERVING; the service starts NOT_SERVING until its database answers). */
  readonly initialHealth?: ServingStatus;
}

/** PEM contents. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** CA bundle of client certificates; given → every client must present a certificate it signed (mutual TLS). */
  readonly ca?: Buffer;
}

export interface TransportLimits {
  /** Larger requests are refused with RESOURCE_EXHAUSTED before they are read (default 1 MiB). */
  readonly maxReceiveMessageBytes?: number;
  /** Calls in flight on one HTTP/2 connection (default 100). */
  readonly maxConcurrentStreams?: number;
  /** The server pings an idle connection this often… (default 60 s) */
  readonly keepaliveTimeMs?: number;
  /** …and closes it when the ping is not answered within this (default 20 s). */
  readonly keepaliveTimeoutMs?: number;
}

export interface AccessControl {
  readonly authenticate: Authenticate;
  readonly authorize: Authorize;
  /** Null: no rate limit. */
  readonly rateLimiter: RateLimiter | null;
}

export const DEFAULT_LIMITS: Required<TransportLimits> = {
  maxReceiveMessageBytes: 1024 * 1024,
  maxConcurrentStreams: 100,
  keepaliveTimeMs: 60_000,
  keepaliveTimeoutMs: 20_000,
};

function channelOptions(limits: TransportLimits = {}): grpc.ServerOptions {
  const chosen = { ...DEFAULT_LIMITS, ...limits };
  return {
    'grpc.max_receive_message_length': chosen.maxReceiveMessageBytes,
    'grpc.max_concurrent_streams': chosen.maxConcurrentStreams,
    'grpc.keepalive_time_ms': chosen.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': chosen.keepaliveTimeoutMs,
  };
}

function credentialsOf(options: GrpcServerOptions): grpc.ServerCredentials {
  if (options.credentials) return options.credentials;
  if (!options.tls) return grpc.ServerCredentials.createInsecure();
  const { cert, key, ca } = options.tls;
  return grpc.ServerCredentials.createSsl(ca ?? null, [{ cert_chain: cert, private_key: key }], ca !== undefined);
}

/**
 * The interceptors of every billing call on every listener, outermost first:
 * `outer` (logging, metrics) sees every call; then identification and the
 * rate limit; then `inner` (e.g. deadlines); authorization runs last, just
 * before the handler. Refuses to build for services without an access rule.
 */
export function callInterceptors(
  access: AccessControl,
  layers: { readonly outer?: readonly UnaryInterceptor[]; readonly inner?: readonly UnaryInterceptor[] },
  services: readonly DescService[] = billingServiceDescriptors(),
): UnaryInterceptor[] {
  const missing = methodsWithoutRule(services);
  if (missing.length > 0) throw new Error(`no access rule for ${missing.join(', ')} (src/interface/grpc/access-rules.ts)`);
  const { authenticate, authorize: policy, rateLimiter } = access;
  return [
    ...(layers.outer ?? []),
    identify(authenticate),
    ...(rateLimiter ? [rateLimit(rateLimiter)] : []),
    ...(layers.inner ?? []),
    authorize(policy),
  ];
}

export interface RunningGrpcServer {
  /** The bound port (the chosen one when 0 was asked). */
  readonly port: number;
  readonly health: HealthStatus;
  readonly server: grpc.Server;
  /**
   * Health NOT_SERVING, then stop taking calls and let running ones finish;
   * after `graceMs` the rest are cancelled. Resolves when the server is down.
   */
  shutdown(graceMs?: number): Promise<void>;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The billing services, health and reflection on one grpc-js server. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new grpc.Server({ ...channelOptions(options.limits), ...options.serverOptions });
  const forced = new AbortController();
  // Every call in flight listens for a forced shutdown; there is no sensible cap on calls in flight.
  setMaxListeners(0, forced.signal);
  const bridge: BridgeOptions = {
    shutdownSignal: forced.signal,
    ...(options.reportInternalError ? { reportInternalError: options.reportInternalError } : {}),
  };

  const bindings = billingServices(options.useCases);
  const interceptors = options.interceptors ?? [];
  for (const { service, impl } of bindings) addConnectService(server, service, intercept(service, impl, interceptors), bridge);

  const served: DescService[] = [...bindings.map((binding) => binding.service), Health];
  const health = new HealthStatus(
    served.map((service) => service.typeName),
    options.initialHealth ?? ServingStatus.SERVING,
  );
  addConnectService(server, Health, healthService(health), bridge);
  addReflection(server, served);

  const port = await bind(server, hostPort(options.host ?? '0.0.0.0', options.port), credentialsOf(options));

  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      health.shutdown();
      const force = setTimeout(() => {
        forced.abort();
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    return stopping;
  };

  return { port, health, server, shutdown };
}
