import { create, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import type { Any } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import { type DomainError, type ErrorCategory, isDomainError } from '../../domain/errors.js';
import { BadRequestSchema, ErrorInfoSchema } from '../../gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../../gen/google/rpc/status_pb.js';
import { headersToMetadata } from './metadata.js';

/**
 * The one place where failures become transport errors.
 *
 * Every error a caller sees carries a stable machine reason (and the request
 * field at fault, in proto field-path form) in a `google.rpc.ErrorInfo`
 * detail; invalid arguments also carry a `google.rpc.BadRequest` field
 * violation. Anything that is not a DomainError is a bug: the caller gets
 * INTERNAL with a fixed message and the real error goes to the log.
 */

export const ERROR_DOMAIN = 'billing.v1';
export const INTERNAL_MESSAGE = 'internal error';

/** Domain error category → status code (Connect codes are the gRPC codes, by number). */
const CODE_OF_CATEGORY: Readonly<Record<ErrorCategory, Code>> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  aborted: Code.Aborted,
  unavailable: Code.Unavailable,
  deadline_exceeded: Code.DeadlineExceeded,
  resource_exhausted: Code.ResourceExhausted,
  permission_denied: Code.PermissionDenied,
  unauthenticated: Code.Unauthenticated,
};

export function codeOfCategory(category: ErrorCategory): Code {
  return CODE_OF_CATEGORY[category];
}

type Detail = { desc: DescMessage; value: MessageInitShape<DescMessage> };

/**
 * An error with the standard details. Transport-level failures that are not
 * domain rules (an unknown health service, say) use this too, so they carry
 * a reason like every other error.
 */
export function transportError(code: Code, reason: string, message: string, field?: string): ConnectError {
  const details: Detail[] = [
    { desc: ErrorInfoSchema, value: { reason, domain: ERROR_DOMAIN, metadata: field === undefined ? {} : { field } } },
  ];
  if (code === Code.InvalidArgument && field !== undefined) {
    details.push({ desc: BadRequestSchema, value: { fieldViolations: [{ field, description: message, reason }] } });
  }
  return new ConnectError(message, code, undefined, details);
}

export function fromDomainError(error: DomainError): ConnectError {
  return transportError(codeOfCategory(error.category), error.reason, error.message, error.field);
}

export type InternalErrorReporter = (error: unknown, procedure: string) => void;

/** One JSON line on stderr: the real error of an INTERNAL answer, never sent to the caller. */
export const logInternalError: InternalErrorReporter = (error, procedure) => {
  const detail =
    error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
  process.stderr.write(
    `${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: 'internal error', procedure, error: detail })}\n`,
  );
};

/**
 * Any thrown value → the error the caller sees. ConnectErrors are already
 * transport errors (deadline and cancellation from the handler context, or
 * `transportError`) and pass through.
 */
export function toConnectError(error: unknown, procedure: string, report: InternalErrorReporter = logInternalError): ConnectError {
  if (isDomainError(error)) return fromDomainError(error);
  if (error instanceof ConnectError) return error;
  report(error, procedure);
  return new ConnectError(INTERNAL_MESSAGE, Code.Internal);
}

const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

function packDetails(error: ConnectError): Any[] {
  return error.details.map((detail) =>
    'desc' in detail
      ? anyPack(detail.desc, create(detail.desc, detail.value))
      : // A detail received from elsewhere and passed on: already encoded.
        { $typeName: 'google.protobuf.Any', typeUrl: `type.googleapis.com/${detail.type}`, value: detail.value },
  );
}

/**
 * A ConnectError as a gRPC status: code, message and trailers, with the
 * details encoded as a `google.rpc.Status` in `grpc-status-details-bin` (the
 * trailer every gRPC client library reads rich errors from).
 */
export function toGrpcStatus(error: ConnectError, trailer?: Headers): grpc.StatusObject {
  const metadata = headersToMetadata(trailer ?? new Headers());
  metadata.merge(headersToMetadata(error.metadata));
  const details = packDetails(error);
  if (details.length > 0) {
    const status = create(StatusSchema, { code: error.code, message: error.rawMessage, details });
    metadata.set(STATUS_DETAILS_KEY, Buffer.from(toBinary(StatusSchema, status)));
  }
  return { code: error.code as number as grpc.status, details: error.rawMessage, metadata };
}
