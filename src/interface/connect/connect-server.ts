import { setMaxListeners } from 'node:events';
import type { DescService } from '@bufbuild/protobuf';
import { type ConnectRouter, type ServiceImpl, createContextValues } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { BillingUseCases } from '../../application/use-cases.js';
import { Health } from '../../gen/grpc/health/v1/health_pb.js';
import { PEER_ADDRESS, peerAddress } from '../grpc/call-context.js';
import { type InternalErrorReporter, logInternalError, toConnectError } from '../grpc/errors.js';
import { type HealthStatus, healthService } from '../grpc/health.js';
import { type UnaryInterceptor, intercept } from '../grpc/interceptors.js';
import { billingServices } from '../grpc/services/index.js';
import { listenHttp1AndH2c } from './h2c-or-http1.js';

export interface ConnectServerOptions {
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly useCases: BillingUseCases;
  /** The gRPC listener's health, so both answer the same. */
  readonly health: HealthStatus;
  /** The same interceptors as the gRPC listener, first one outermost. */
  readonly interceptors?: readonly UnaryInterceptor[];
  readonly reportInternalError?: InternalErrorReporter;
  /** Largest request body accepted, in bytes (default 4 MiB, as grpc-js). */
  readonly readMaxBytes?: number;
}

export interface RunningConnectServer {
  readonly port: number;
  /** Stop taking calls, let running ones finish; after `graceMs` cancel the rest. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Turns whatever a handler or an interceptor throws into the transport error
 * errors.ts defines (the gRPC bridge does the same), before connect-node sees
 * it: a DomainError keeps its code, reason and field, and anything else is
 * INTERNAL with a fixed message, reported, never the library's text.
 */
function errorMapping(report: InternalErrorReporter): UnaryInterceptor {
  return async (call, next) => {
    try {
      return await next();
    } catch (error) {
      throw toConnectError(error, `/${call.service.typeName}/${call.method.name}`, report);
    }
  };
}

/**
 * The billing services (the same ServiceImpls as the gRPC port, through the
 * same interceptors) and grpc.health.v1 over the Connect protocol (JSON and
 * binary), gRPC-Web and gRPC, on HTTP/1.1 and HTTP/2 without TLS, with
 * connect-node. `curl -H 'Content-Type: application/json' -d '{...}'
 * http://host:port/billing.v1.SchoolService/CreateSchool` works.
 */
export async function startConnectServer(options: ConnectServerOptions): Promise<RunningConnectServer> {
  const report = options.reportInternalError ?? logInternalError;
  const interceptors = [errorMapping(report), ...(options.interceptors ?? [])];
  const forced = new AbortController();
  setMaxListeners(0, forced.signal);
  const routes = (router: ConnectRouter) => {
    for (const { service, impl } of billingServices(options.useCases)) {
      router.service(service as DescService, intercept(service, impl, interceptors) as ServiceImpl<DescService>);
    }
    router.service(Health, healthService(options.health));
  };
  const handler = connectNodeAdapter({
    routes,
    // As on the gRPC port: the rate limit keys unauthenticated callers by address.
    contextValues: (request) => createContextValues().set(PEER_ADDRESS, peerAddress(request.socket.remoteAddress ?? 'unknown')),
    shutdownSignal: forced.signal,
    readMaxBytes: options.readMaxBytes ?? 4 * 1024 * 1024,
  });
  const server = await listenHttp1AndH2c(options.host ?? '0.0.0.0', options.port, handler);

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    shutdown: (graceMs: number) =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close();
        const force = setTimeout(() => {
          forced.abort();
          server.destroy();
        }, graceMs);
        void server.closed().then(() => {
          clearTimeout(force);
          resolve();
        });
      })),
  };
}
