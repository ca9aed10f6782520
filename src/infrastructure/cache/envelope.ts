/**
 * The cache envelope: how a statement payload and its stamp sit in one Redis
 * string value.
 *
 *   {"format":1,"epoch":"3","version":"42","asOf":"2026-03-01","encoding":"json"}\n<payload>
 *
 * One header line of JSON, a line feed, then the payload: the codec's JSON
 * as UTF-8 (`json`), or those bytes gzipped (`gzip+json`) when the payload is
 * larger than the compression threshold. Epoch and version are bigints as
 * decimal strings. `redis-cli GET` therefore shows the header and, for
 * uncompressed entries, the statement itself.
 *
 * A value whose header is missing, unparseable or of another format version
 * is not an entry of this release: readers treat it as absent and fills
 * overwrite it (safe rolling deploys). The fill script reads the same header
 * (scripts/fill.lua); both sides must agree on the field names below.
 */
import { promisify } from 'node:util';
import { gunzip, gzip, constants as zlib } from 'node:zlib';
import type { CacheStamp } from '../../application/ports/statement-cache-port.js';

/** Bump when the header or a payload encoding changes incompatibly. */
export const ENVELOPE_FORMAT_VERSION = 1;

/**
 * Payloads larger than this many UTF-8 bytes are gzipped. Measured with
 * scripts/measure-cache-encoding.ts (JSON bytes -> gzip-1 bytes, compress +
 * decompress time): a student statement of a school year 6.3 KB -> 1.7 KB,
 * 35 µs; a school of 100 rows 22 KB -> 4.3 KB, 55 µs; 1,000 rows
 * 209 KB -> 34 KB, 0.7 ms; 10,000 rows 2.1 MB -> 321 KB, 7.7 ms. Below
 * ~20 KB a Redis round trip costs the same whatever the size, so compressing
 * buys nothing but memory and costs readability: student statements (even a
 * few years of history) stay plain JSON for `redis-cli GET`; school
 * statements from ~75 rows are stored at 15-20 % of their size.
 */
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 16 * 1024;

/** gzip level 1: 10-15 % larger than level 6 on statements, at half the time (5.8 ms vs 11.7 ms on 2 MB). */
export const GZIP_LEVEL = 1;

/** The header must be found in the first bytes of a value (the fill script reads no more). */
export const MAX_HEADER_BYTES = 1024;

/** Known encodings; scripts/fill.lua lists the same ones (an unknown one is a foreign value there too). */
export type PayloadEncoding = 'json' | 'gzip+json';

export interface EnvelopeHeader {
  readonly format: number;
  readonly stamp: CacheStamp;
  readonly encoding: PayloadEncoding;
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const LINE_FEED = 0x0a;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const AS_OF = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/**
 * The canonical decimal text of a stamp counter: non-negative, no leading
 * zeros, so the fill script can order two of them by length, then bytes.
 */
export function decimalOf(value: bigint, field: string): string {
  if (value < 0n) throw new RangeError(`cache stamp ${field} must not be negative (got ${value})`);
  return value.toString();
}

export function requireAsOfDate(value: string): string {
  if (!AS_OF.test(value)) throw new RangeError(`cache stamp asOfDate must be YYYY-MM-DD (got ${JSON.stringify(value)})`);
  return value;
}

/** Orders stamps by epoch, then version, then as-of date: negative when `a` is older. */
export function compareStamps(a: CacheStamp, b: CacheStamp): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  if (a.asOfDate !== b.asOfDate) return a.asOfDate < b.asOfDate ? -1 : 1;
  return 0;
}

export function headerLine(stamp: CacheStamp, encoding: PayloadEncoding): string {
  const line = JSON.stringify({
    format: ENVELOPE_FORMAT_VERSION,
    epoch: decimalOf(stamp.epoch, 'epoch'),
    version: decimalOf(stamp.version, 'version'),
    asOf: requireAsOfDate(stamp.asOfDate),
    encoding,
  });
  if (line.length >= MAX_HEADER_BYTES) throw new RangeError(`cache stamp too large for the envelope header (${line.length} bytes)`);
  return line;
}

/** The whole value for a payload: compressed when its UTF-8 size exceeds the threshold. */
export async function packEnvelope(stamp: CacheStamp, payload: string, compressAboveBytes: number): Promise<Buffer> {
  const raw = Buffer.from(payload, 'utf8');
  const compress = raw.length > compressAboveBytes;
  const body = compress ? await gzipAsync(raw, { level: GZIP_LEVEL, strategy: zlib.Z_DEFAULT_STRATEGY }) : raw;
  const header = Buffer.from(`${headerLine(stamp, compress ? 'gzip+json' : 'json')}\n`, 'utf8');
  return Buffer.concat([header, body]);
}

/**
 * Output chunk for inflating `body`: its uncompressed size from the gzip
 * trailer (ISIZE), within bounds. The default 16 KiB chunk costs one thread
 * pool round trip per chunk: 2.7x slower on a 2 MB statement.
 */
function gunzipChunkSize(body: Buffer): number {
  const size = body.length >= 18 ? body.readUInt32LE(body.length - 4) : 0;
  return Math.min(Math.max(size, 64 * 1024), 16 * 1024 * 1024);
}

/** The header of a value, or null when it is not an entry of this format version. */
export function parseHeader(value: Buffer): { header: EnvelopeHeader; bodyOffset: number } | null {
  const end = value.subarray(0, MAX_HEADER_BYTES).indexOf(LINE_FEED);
  if (end < 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.subarray(0, end).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const fields = parsed as Record<string, unknown>;
  const { format, epoch, version, asOf, encoding } = fields;
  if (format !== ENVELOPE_FORMAT_VERSION) return null;
  if (typeof epoch !== 'string' || !DECIMAL.test(epoch)) return null;
  if (typeof version !== 'string' || !DECIMAL.test(version)) return null;
  if (typeof asOf !== 'string' || !AS_OF.test(asOf)) return null;
  if (encoding !== 'json' && encoding !== 'gzip+json') return null;
  return {
    header: { format, stamp: { epoch: BigInt(epoch), version: BigInt(version), asOfDate: asOf }, encoding },
    bodyOffset: end + 1,
  };
}

/**
 * The stamp and payload of a value, or null when it is not an entry of this
 * format version. Rejects when the header is ours but the body does not
 * decompress (a corrupt entry).
 */
export async function unpackEnvelope(value: Buffer): Promise<{ stamp: CacheStamp; payload: string } | null> {
  const parsed = parseHeader(value);
  if (parsed === null) return null;
  const body = value.subarray(parsed.bodyOffset);
  const bytes = parsed.header.encoding === 'gzip+json' ? await gunzipAsync(body, { chunkSize: gunzipChunkSize(body) }) : body;
  return { stamp: parsed.header.stamp, payload: bytes.toString('utf8') };
}
