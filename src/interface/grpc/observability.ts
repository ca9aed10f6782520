import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { isDomainError } from '../../domain/errors.js';
import { codeOfCategory } from './errors.js';
import type { UnaryCall, UnaryInterceptor } from './interceptors.js';

/**
 * Request logs and RPC metrics, as interceptors around every unary billing
 * call on every listener. They see the call after parsing and before
 * anything else (authentication included, when it is added inside them), so
 * refused calls are logged and counted like the others.
 */

/** The gRPC status name of a code, as Prometheus labels and logs spell it (grpc-go style: OK, InvalidArgument, ...). */
export function codeName(code: Code | 0): string {
  return code === 0 ? 'OK' : (Code[code] ?? `Code${code}`);
}

/**
 * The status a thrown value becomes (errors.ts decides the answer; this only
 * reads it): a ConnectError its code, a DomainError its category's code,
 * anything else INTERNAL.
 */
export function statusCodeOf(error: unknown): Code {
  if (error instanceof ConnectError) return error.code;
  if (isDomainError(error)) return codeOfCategory(error.category);
  return Code.Internal;
}

/** What the metrics interceptor records: the standard gRPC server metrics. */
export interface RpcMetrics {
  started(service: string, method: string): void;
  handled(service: string, method: string, code: string, seconds: number): void;
}

export function metricsInterceptor(metrics: RpcMetrics): UnaryInterceptor {
  return async (call, next) => {
    const service = call.service.typeName;
    const method = call.method.name;
    metrics.started(service, method);
    const start = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
    try {
      const response = await next();
      metrics.handled(service, method, 'OK', seconds());
      return response;
    } catch (error) {
      metrics.handled(service, method, codeName(statusCodeOf(error)), seconds());
      throw error;
    }
  };
}

/** The part of a pino logger the request log uses. */
export interface RequestLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's request id is kept when it is 1–128 visible ASCII characters; anything else is replaced. */
const USABLE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export function requestIdOf(call: UnaryCall): string {
  const given = call.context.requestHeader.get(REQUEST_ID_HEADER);
  return given !== null && USABLE_REQUEST_ID.test(given) ? given : randomUUID();
}

const SERVER_FAULTS = new Set([Code.Internal, Code.Unknown, Code.DataLoss, Code.Unimplemented]);
const DEGRADED = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted]);

/**
 * One JSON line per call: request id (the caller's `x-request-id`, or a new
 * UUID; echoed in the response header either way), protocol, service,
 * method, status code, duration. Request metadata is never logged, so
 * tokens (`authorization`) cannot leak through it; the logger redacts them
 * besides (logger.ts). Levels: info, warn for UNAVAILABLE / DEADLINE_EXCEEDED
 * / RESOURCE_EXHAUSTED / ABORTED, error for server faults.
 */
export function requestLogInterceptor(logger: RequestLogger): UnaryInterceptor {
  return async (call, next) => {
    const requestId = requestIdOf(call);
    call.context.responseHeader.set(REQUEST_ID_HEADER, requestId);
    const start = process.hrtime.bigint();
    const line = (code: Code | 0) => ({
      requestId,
      protocol: call.context.protocolName,
      service: call.service.typeName,
      method: call.method.name,
      code: codeName(code),
      durationMs: Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100,
    });
    try {
      const response = await next();
      logger.info(line(0), 'rpc');
      return response;
    } catch (error) {
      const code = statusCodeOf(error);
      const fields = line(code);
      if (SERVER_FAULTS.has(code)) logger.error(fields, 'rpc');
      else if (DEGRADED.has(code)) logger.warn(fields, 'rpc');
      else logger.info(fields, 'rpc');
      throw error;
    }
  };
}
