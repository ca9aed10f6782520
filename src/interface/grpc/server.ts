import type { DescService } from '@bufbuild/protobuf';
import { setMaxListeners } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { BillingUseCases } from '../../application/use-cases.js';
import { Health } from '../../gen/grpc/health/v1/health_pb.js';
import type { InternalErrorReporter } from './errors.js';
import { type BridgeOptions, addConnectService } from './grpc-bridge.js';
import { HealthStatus, ServingStatus, healthService } from './health.js';
import { type UnaryInterceptor, intercept } from './interceptors.js';
import { addReflection } from './reflection.js';
import { billingServices } from './services/index.js';

export interface GrpcServerOptions {
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly useCases: BillingUseCases;
  /** Default plaintext; TLS and mutual TLS pass their own. */
  readonly credentials?: grpc.ServerCredentials;
  /** grpc-js channel options (message size limits, keepalive, ...). */
  readonly serverOptions?: grpc.ServerOptions;
  readonly reportInternalError?: InternalErrorReporter;
  /** Around every unary billing call, first one outermost (health is not intercepted). */
  readonly interceptors?: readonly UnaryInterceptor[];
  /** What grpc.health.v1 says until told otherwise (default SERVING; the service starts NOT_SERVING until its database answers). */
  readonly initialHealth?: ServingStatus;
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
  const server = new grpc.Server(options.serverOptions);
  const forced = new AbortController();
  // Every call in flight listens for a forced shutdown; there is no sensible cap on calls in flight.
  setMaxListeners(0, forced.signal);
  const bridge: BridgeOptions = {
    shutdownSignal: forced.signal,
    ...(options.reportInternalError ? { reportInternalError: options.reportInternalError } : {}),
  };

  const bindings = billingServices(options.useCases);
  for (const { service, impl } of bindings) addConnectService(server, service, intercept(service, impl, options.interceptors ?? []), bridge);

  const served: DescService[] = [...bindings.map((binding) => binding.service), Health];
  const health = new HealthStatus(
    served.map((service) => service.typeName),
    options.initialHealth ?? ServingStatus.SERVING,
  );
  addConnectService(server, Health, healthService(health), bridge);
  addReflection(server, served);

  const port = await bind(server, hostPort(options.host ?? '0.0.0.0', options.port), options.credentials ?? grpc.ServerCredentials.createInsecure());

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
