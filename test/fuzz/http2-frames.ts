/**
 * gRPC requests built by hand on node:http2 — length-prefixed messages whose
 * prefix, flags, headers or body are wrong — and what the server answers to
 * each, as docs/errors.md § "Malformed requests" publishes it. Most of these
 * are answered by grpc-js before our code runs (its codes, its messages, no
 * ErrorInfo); a body that frames correctly reaches our parser.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import http2 from 'node:http2';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../../src/gen/google/rpc/status_pb.js';
import { codeName } from '../support/statement-consistency.js';
import { METHODS, type World, expectedFor } from './oracle.js';

export const MAX_MESSAGE_BYTES = 1024 * 1024;
const LIST_SCHOOLS = '/billing.v1.SchoolService/ListSchools';

export interface FrameCase {
  readonly name: string;
  readonly path: string;
  readonly body: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send no authorization metadata. */
  readonly anonymous?: boolean;
  /** "OK", "CODE", "CODE/REASON" (our answers carry a reason), or "HTTP <status>" without a gRPC status. */
  readonly expected: string;
}

export function frame(payload: Uint8Array, options: { flag?: number; declared?: number } = {}): Buffer {
  const head = Buffer.alloc(5);
  head[0] = options.flag ?? 0;
  head.writeUInt32BE(options.declared ?? payload.length, 1);
  return Buffer.concat([head, Buffer.from(payload)]);
}

/** ListSchoolsRequest{page_size: 1}. */
const PAGE_SIZE_1 = Uint8Array.from([0x08, 0x01]);

export const FRAME_CASES: readonly FrameCase[] = [
  { name: 'a well-formed request', path: LIST_SCHOOLS, body: frame(PAGE_SIZE_1), expected: 'OK' },
  { name: 'no message at all (empty body)', path: LIST_SCHOOLS, body: Buffer.alloc(0), expected: 'UNIMPLEMENTED' },
  { name: 'a truncated length prefix (3 of 5 bytes)', path: LIST_SCHOOLS, body: Buffer.from([0, 0, 0]), expected: 'UNIMPLEMENTED' },
  { name: 'a length prefix larger than the body', path: LIST_SCHOOLS, body: frame(PAGE_SIZE_1, { declared: 100 }), expected: 'UNIMPLEMENTED' },
  { name: 'a garbage body (text read as a 1.7 GB length prefix)', path: LIST_SCHOOLS, body: Buffer.from('hello world, this is not gRPC'), expected: 'RESOURCE_EXHAUSTED' },
  { name: 'a length prefix of 2 MiB (> the 1 MiB limit), body never sent', path: LIST_SCHOOLS, body: frame(Buffer.alloc(10), { declared: 2 * MAX_MESSAGE_BYTES }), expected: 'RESOURCE_EXHAUSTED' },
  { name: 'a message of 1 MiB + 10 bytes', path: LIST_SCHOOLS, body: frame(Buffer.alloc(MAX_MESSAGE_BYTES + 10)), expected: 'RESOURCE_EXHAUSTED' },
  { name: 'a message of exactly 1 MiB that does not parse', path: LIST_SCHOOLS, body: frame(Buffer.alloc(MAX_MESSAGE_BYTES)), expected: 'INVALID_ARGUMENT/MALFORMED_REQUEST' },
  { name: 'invalid UTF-8 in a string field', path: LIST_SCHOOLS, body: frame(Uint8Array.from([0x12, 0x02, 0xc3, 0x28])), expected: 'INVALID_ARGUMENT/MALFORMED_REQUEST' },
  { name: 'two messages in a unary call', path: LIST_SCHOOLS, body: Buffer.concat([frame(PAGE_SIZE_1), frame(PAGE_SIZE_1)]), expected: 'UNIMPLEMENTED' },
  { name: 'the compressed flag set without grpc-encoding (read as uncompressed)', path: LIST_SCHOOLS, body: frame(PAGE_SIZE_1, { flag: 1 }), expected: 'OK' },
  { name: 'the compressed flag with grpc-encoding: gzip and a body that is not gzip', path: LIST_SCHOOLS, body: frame(PAGE_SIZE_1, { flag: 1 }), headers: { 'grpc-encoding': 'gzip' }, expected: 'INTERNAL' },
  { name: 'a gzip-compressed message with grpc-encoding: gzip', path: LIST_SCHOOLS, body: frame(gzipSync(PAGE_SIZE_1), { flag: 1 }), headers: { 'grpc-encoding': 'gzip' }, expected: 'OK' },
  { name: 'grpc-encoding the server does not support', path: LIST_SCHOOLS, body: frame(PAGE_SIZE_1, { flag: 1 }), headers: { 'grpc-encoding': 'snappy' }, expected: 'UNIMPLEMENTED' },
  { name: 'a malformed grpc-timeout header', path: LIST_SCHOOLS, body: frame(PAGE_SIZE_1), headers: { 'grpc-timeout': 'banana' }, expected: 'INTERNAL' },
  { name: 'content-type application/json', path: LIST_SCHOOLS, body: frame(PAGE_SIZE_1), headers: { 'content-type': 'application/json' }, expected: 'HTTP 415' },
  { name: 'an unknown method', path: '/billing.v1.SchoolService/DropAllTables', body: frame(PAGE_SIZE_1), expected: 'UNIMPLEMENTED' },
  { name: 'an unknown service', path: '/billing.v9.Nope/Call', body: frame(PAGE_SIZE_1), expected: 'UNIMPLEMENTED' },
  { name: 'no authorization metadata', path: LIST_SCHOOLS, body: frame(PAGE_SIZE_1), anonymous: true, expected: 'UNAUTHENTICATED/AUTH_TOKEN_MISSING' },
];

export interface FrameAnswer {
  readonly outcome: string;
  readonly detail: string;
}

/** One HTTP/2 request on its own connection; the gRPC status from headers (trailers-only) or trailers. */
export function sendFrame(port: number, token: string, request: Omit<FrameCase, 'expected'> & { expected?: string }): Promise<FrameAnswer> {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    let settled = false;
    const done = (answer: FrameAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done({ outcome: 'NO ANSWER', detail: 'no answer within 10 s' }), 10_000);
    const stream = session.request({
      ':method': 'POST',
      ':path': request.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(request.anonymous ? {} : { authorization: `Bearer ${token}` }),
      ...request.headers,
    });
    let head: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader = {};
    const fromStatus = (headers: Record<string, unknown>): FrameAnswer | null => {
      const status = headers['grpc-status'];
      if (status === undefined) return null;
      const code = codeName(Number(status));
      const message = decodeURIComponent(String(headers['grpc-message'] ?? ''));
      const details = headers['grpc-status-details-bin'];
      let reason: string | undefined;
      if (typeof details === 'string') {
        const decoded = fromBinary(StatusSchema, Buffer.from(details, 'base64'));
        reason = decoded.details.map((any) => anyUnpack(any, ErrorInfoSchema)).find((x) => x !== undefined)?.reason;
      }
      return { outcome: reason ? `${code}/${reason}` : code, detail: message };
    };
    stream.on('response', (headers) => {
      head = headers;
      const answer = fromStatus(headers);
      if (answer) done(answer);
    });
    stream.on('trailers', (trailers) => {
      const answer = fromStatus(trailers);
      done(answer ?? { outcome: `HTTP ${head[':status']}`, detail: 'trailers without grpc-status' });
    });
    stream.on('end', () => setImmediate(() => done({ outcome: `HTTP ${head[':status']}`, detail: 'no grpc-status' })));
    stream.on('error', (error) => done({ outcome: 'STREAM ERROR', detail: String(error) }));
    stream.resume();
    stream.end(request.body);
  });
}

const LIST_SCHOOLS_METHOD = METHODS.find((m) => m.path === LIST_SCHOOLS)!;
// ListSchools reads no fixtures.
const NO_WORLD = {} as World;

/**
 * What the table above says for any body sent to ListSchools with a valid
 * token and no grpc-encoding: grpc-js frames it (no complete message →
 * UNIMPLEMENTED, a declared length over 1 MiB → RESOURCE_EXHAUSTED, a
 * complete second message → UNIMPLEMENTED; any flag byte is read as
 * uncompressed, bytes after the message that do not make a whole frame are
 * ignored); the one message is then ours to parse and validate.
 */
export function expectedForFrame(body: Uint8Array): string {
  const bytes = Buffer.from(body);
  if (bytes.length < 5) return 'UNIMPLEMENTED';
  const length = bytes.readUInt32BE(1);
  if (length > MAX_MESSAGE_BYTES) return 'RESOURCE_EXHAUSTED';
  if (bytes.length - 5 < length) return 'UNIMPLEMENTED';
  const rest = bytes.subarray(5 + length);
  if (rest.length >= 5) {
    const second = rest.readUInt32BE(1);
    if (second > MAX_MESSAGE_BYTES) return 'RESOURCE_EXHAUSTED';
    if (rest.length - 5 >= second) return 'UNIMPLEMENTED';
  }
  const { verdict } = expectedFor(LIST_SCHOOLS_METHOD, bytes.subarray(5, 5 + length), NO_WORLD);
  if (verdict.kind !== 'error') return 'OK';
  return `${verdict.code}/${verdict.options[0]!.reason}`;
}

/** Bodies: valid or damaged framing around a ListSchools message that is fine, malformed or invalid. */
export function frameBody(): fc.Arbitrary<{ bytes: Uint8Array; note: string }> {
  const payload = fc.constantFrom(
    Uint8Array.from([]),
    PAGE_SIZE_1,
    Uint8Array.from([0xff]), // a truncated varint: does not parse
    Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0x0f]), // page_size -1
  );
  const declared = fc.oneof(
    fc.constant(undefined),
    fc.integer({ min: 0, max: 64 }),
    fc.integer({ min: MAX_MESSAGE_BYTES + 1, max: 2 ** 32 - 1 }),
  );
  const trailing = fc.oneof(
    { arbitrary: fc.constant(Uint8Array.from([])), weight: 4 },
    { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4 }), weight: 1 },
    { arbitrary: fc.constant(frame(PAGE_SIZE_1) as Uint8Array), weight: 1 },
  );
  const framed = fc.tuple(payload, fc.integer({ min: 0, max: 255 }), declared, trailing).map(([p, flag, length, tail]) => ({
    bytes: Uint8Array.from([...frame(p, { flag, ...(length === undefined ? {} : { declared: length }) }), ...tail]),
    note: `flag ${flag}, payload ${p.length} B, declared ${length ?? 'exact'}, ${tail.length} trailing B`,
  }));
  const garbage = fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes, note: 'random bytes' }));
  return fc.oneof({ arbitrary: framed, weight: 3 }, { arbitrary: garbage, weight: 1 });
}
