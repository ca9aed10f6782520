import { type DescMessage, type DescMethod, type DescService, create, toBinary } from '@bufbuild/protobuf';
import {
  Code,
  ConnectError,
  type MethodImplSpec,
  type ServiceImpl,
  createContextValues,
  createServiceImplSpec,
} from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import { callContext } from './call-handler-context.js';
import { PEER_ADDRESS, peerAddress } from './call-context.js';
import { INTERNAL_MESSAGE, type InternalErrorReporter, logInternalError, toConnectError, toGrpcStatus } from './errors.js';
import { encodedBytesOf } from './encoded-responses.js';
import { headersToMetadata, metadataToHeaders } from './metadata.js';
import { parseRequest } from './requests.js';

/**
 * Serves Connect `ServiceImpl`s on a grpc-js server.
 *
 * grpc-js hands us the raw request bytes (its deserializer is the identity),
 * so parsing is ours: a request that does not parse is INVALID_ARGUMENT
 * (MALFORMED_REQUEST), never the library's INTERNAL. Each call gets a Connect
 * HandlerContext (request metadata as headers, a signal that fires on
 * cancellation, deadline or server shutdown, the remaining time, the peer
 * address in `context.values`); after the
 * handler, its response headers go out as initial metadata and its trailers
 * as trailing metadata. Every failure is turned into a status by errors.ts.
 */

export interface BridgeOptions {
  /** Where the real error of an INTERNAL answer goes; one JSON line on stderr by default. */
  readonly reportInternalError?: InternalErrorReporter;
  /** Aborts every call's signal, for a forced shutdown. */
  readonly shutdownSignal?: AbortSignal;
}

/** Why a finished call's signal fires: it is over. */
const CALL_FINISHED = new ConnectError('the call has finished', Code.Canceled);

type RawCall = grpc.ServerUnaryCall<Buffer, Uint8Array> | grpc.ServerWritableStream<Buffer, Uint8Array>;

function procedureOf(service: DescService, method: DescMethod): string {
  return `/${service.typeName}/${method.name}`;
}

function encodeResponse(desc: DescMessage, init: unknown): Buffer {
  const bytes = encodedBytesOf(init) ?? toBinary(desc, create(desc, init as never));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function remainingMs(call: RawCall): number | undefined {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - Date.now());
}

function contextFor(call: RawCall, service: DescService, method: DescMethod, options: BridgeOptions) {
  const { context, finish } = callContext({
    service,
    method,
    url: `http://${call.getHost()}${procedureOf(service, method)}`,
    timeoutMs: remainingMs(call),
    requestHeader: metadataToHeaders(call.metadata),
    values: createContextValues().set(PEER_ADDRESS, peerAddress(call.getPeer())),
    shutdownSignal: options.shutdownSignal,
    onCancelled: (abort) => {
      // The signal may be asked for after the client has already gone.
      if (call.cancelled) abort();
      call.on('cancelled', abort);
      return () => call.removeListener('cancelled', abort);
    },
    cancelledReason: () => new ConnectError('the call was cancelled', Code.Canceled),
    deadlineReason: () => new ConnectError('the deadline was exceeded', Code.DeadlineExceeded),
  });
  return {
    context,
    /** Ends the call's signal (if it was asked for) and its timer. */
    done: () => finish(CALL_FINISHED),
  };
}

/**
 * Headers a handler set → metadata. A value grpc-js refuses is a bug in the
 * handler: it is reported and the call goes on without that metadata.
 */
function metadataOf(headers: Headers, procedure: string, report: InternalErrorReporter): grpc.Metadata {
  try {
    return headersToMetadata(headers);
  } catch (error) {
    report(error, procedure);
    return new grpc.Metadata();
  }
}

/** Any failure → the status to answer; never throws. */
function failureStatus(error: unknown, trailer: Headers, procedure: string, report: InternalErrorReporter): grpc.StatusObject {
  try {
    return toGrpcStatus(toConnectError(error, procedure, report), trailer);
  } catch (failure) {
    report(failure, procedure);
    return { code: grpc.status.INTERNAL, details: INTERNAL_MESSAGE, metadata: new grpc.Metadata() };
  }
}

function unaryHandler(service: DescService, spec: Extract<MethodImplSpec, { kind: 'unary' }>, options: BridgeOptions) {
  const procedure = procedureOf(service, spec.method);
  const report = options.reportInternalError ?? logInternalError;
  return (call: grpc.ServerUnaryCall<Buffer, Uint8Array>, callback: grpc.sendUnaryData<Uint8Array>): void => {
    const { context, done } = contextFor(call, service, spec.method, options);
    void (async () => {
      let response: Buffer;
      try {
        const request = parseRequest(spec.method.input, call.request);
        response = encodeResponse(spec.method.output, await spec.impl(request, context));
      } catch (error) {
        call.sendMetadata(metadataOf(context.responseHeader, procedure, report));
        callback(failureStatus(error, context.responseTrailer, procedure, report));
        return;
      } finally {
        done();
      }
      call.sendMetadata(metadataOf(context.responseHeader, procedure, report));
      callback(null, response, metadataOf(context.responseTrailer, procedure, report));
    })();
  };
}

/** Resolves when the stream can take more, or when the call is over. */
function drained(call: grpc.ServerWritableStream<Buffer, Uint8Array>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      call.removeListener('drain', finish);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    call.once('drain', finish);
    signal.addEventListener('abort', finish, { once: true });
  });
}

function serverStreamingHandler(
  service: DescService,
  spec: Extract<MethodImplSpec, { kind: 'server_streaming' }>,
  options: BridgeOptions,
) {
  const procedure = procedureOf(service, spec.method);
  const report = options.reportInternalError ?? logInternalError;
  return (call: grpc.ServerWritableStream<Buffer, Uint8Array>): void => {
    const { context, done } = contextFor(call, service, spec.method, options);
    let headerSent = false;
    // Response headers must be set before the first message (as in Connect).
    const sendHeader = () => {
      if (headerSent) return;
      headerSent = true;
      call.sendMetadata(metadataOf(context.responseHeader, procedure, report));
    };
    void (async () => {
      try {
        const request = parseRequest(spec.method.input, call.request);
        for await (const init of spec.impl(request, context)) {
          if (context.signal.aborted) break;
          sendHeader();
          if (!call.write(encodeResponse(spec.method.output, init))) await drained(call, context.signal);
        }
        sendHeader();
        call.end(metadataOf(context.responseTrailer, procedure, report));
      } catch (error) {
        sendHeader();
        call.emit('error', failureStatus(error, context.responseTrailer, procedure, report));
      } finally {
        done();
      }
    })();
  };
}

/** The grpc-js definition and handlers of a Connect service implementation. */
export function bridgeService<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  options: BridgeOptions = {},
): { definition: grpc.ServiceDefinition; handlers: grpc.UntypedServiceImplementation } {
  const spec = createServiceImplSpec(service, impl);
  const definition: Record<string, grpc.MethodDefinition<Uint8Array, Uint8Array>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const methodSpec = spec.methods[method.localName]!;
    if (methodSpec.kind !== 'unary' && methodSpec.kind !== 'server_streaming') {
      throw new Error(`${procedureOf(service, method)}: ${methodSpec.kind} methods are not supported by the gRPC bridge`);
    }
    definition[method.localName] = {
      path: procedureOf(service, method),
      requestStream: false,
      responseStream: methodSpec.kind === 'server_streaming',
      originalName: method.name,
      // Raw bytes both ways: parsing and encoding are done above, with protobuf-es.
      requestSerialize: (bytes: Uint8Array) => Buffer.from(bytes),
      requestDeserialize: (bytes: Buffer): Uint8Array => bytes,
      responseSerialize: (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)),
      responseDeserialize: (bytes: Buffer): Uint8Array => bytes,
    };
    handlers[method.localName] =
      methodSpec.kind === 'unary' ? unaryHandler(service, methodSpec, options) : serverStreamingHandler(service, methodSpec, options);
  }
  return { definition, handlers };
}

export function addConnectService<S extends DescService>(
  server: grpc.Server,
  service: S,
  impl: ServiceImpl<S>,
  options: BridgeOptions = {},
): void {
  const { definition, handlers } = bridgeService(service, impl, options);
  server.addService(definition, handlers);
}
