/**
 * Measures how statements encode for the cache, to choose the compression
 * threshold and level (src/infrastructure/cache/envelope.ts).
 *
 *   npx tsx scripts/measure-cache-encoding.ts            # uses TEST_REDIS_URL or redis://127.0.0.1:6379
 *   REDIS_URL=redis://host:6379 npx tsx scripts/measure-cache-encoding.ts
 *
 * For a student statement (12 invoices, 10 payments) and school statements of
 * 100 / 1,000 / 10,000 rows: bytes and encode/decode time of the JSON codec,
 * of protobuf binary (the gRPC messages, for comparison), of gzip and brotli
 * at several levels over the JSON; then the GET and SET round trip of the
 * envelope on Redis, uncompressed and gzipped, and the adapter's fill + get.
 * Times are medians in microseconds. Keys live under a random prefix and are
 * deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { Redis } from 'ioredis';
import type { SchoolStatement, StudentStatement } from '../src/domain/statement.js';
import { SchoolStatementSchema, StudentStatementSchema } from '../src/gen/billing/v1/statement_pb.js';
import { packEnvelope } from '../src/infrastructure/cache/envelope.js';
import { JsonStatementCodec } from '../src/infrastructure/cache/json-statement-codec.js';
import { RedisStatementCache } from '../src/infrastructure/cache/redis-statement-cache.js';
import { schoolStatementMessage, studentStatementMessage } from '../src/interface/grpc/messages.js';
import { sampleSchoolStatement, sampleStudentStatement } from '../test/integration/cache/statement-samples.js';

const REDIS_URL = process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const codec = new JsonStatementCodec();

/** Median microseconds of `work`, run at least `minRuns` times and for at least `minMs`. */
async function time(work: () => unknown, minRuns = 5, minMs = 150): Promise<number> {
  for (let i = 0; i < 2; i += 1) await work(); // warm-up
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < minRuns || performance.now() - started < minMs) {
    const t0 = performance.now();
    await work();
    samples.push((performance.now() - t0) * 1000);
    if (samples.length >= 2_000) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

interface Sample {
  readonly name: string;
  readonly json: () => string;
  readonly decodeJson: (payload: string) => unknown;
  readonly proto: () => Uint8Array;
  readonly decodeProto: (bytes: Uint8Array) => unknown;
}

function student(statement: StudentStatement): Sample {
  return {
    name: `student (${statement.invoices.length} inv, ${statement.payments.length} pay)`,
    json: () => codec.encodeStudent(statement),
    decodeJson: (payload) => codec.decodeStudent(payload),
    proto: () => toBinary(StudentStatementSchema, studentStatementMessage(statement)),
    decodeProto: (bytes) => fromBinary(StudentStatementSchema, bytes),
  };
}

function school(statement: SchoolStatement): Sample {
  return {
    name: `school ${statement.rows.length.toLocaleString('en')} rows`,
    json: () => codec.encodeSchool(statement),
    decodeJson: (payload) => codec.decodeSchool(payload),
    proto: () => toBinary(SchoolStatementSchema, schoolStatementMessage(statement)),
    decodeProto: (bytes) => fromBinary(SchoolStatementSchema, bytes),
  };
}

const samples = [
  student(sampleStudentStatement()),
  school(sampleSchoolStatement(100)),
  school(sampleSchoolStatement(1_000)),
  school(sampleSchoolStatement(10_000)),
];

const gzipLevels = [1, 6, 9];
const brotliLevels = [1, 4, 11];

function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  console.log(`\n${title}`);
  for (const [index, row] of cells.entries()) {
    console.log(`| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`);
    if (index === 0) console.log(`|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  }
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 100) return Math.round(value).toLocaleString('en');
  return value.toFixed(value >= 10 ? 1 : 2);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; Redis ${REDIS_URL}`);
  const sizes: (string | number)[][] = [];
  const codecTimes: (string | number)[][] = [];
  const compressTimes: (string | number)[][] = [];
  const payloads: { name: string; json: string }[] = [];

  for (const sample of samples) {
    const json = sample.json();
    const raw = Buffer.from(json, 'utf8');
    const proto = sample.proto();
    payloads.push({ name: sample.name, json });
    const gz = gzipLevels.map((level) => gzipSync(raw, { level }));
    const br = brotliLevels.map((quality) =>
      brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
    );
    sizes.push([sample.name, raw.length, proto.length, ...gz.map((b) => b.length), ...br.map((b) => b.length), `${((100 * (gz[0]?.length ?? 0)) / raw.length).toFixed(1)} %`]);

    codecTimes.push([
      sample.name,
      await time(() => sample.json()),
      await time(() => sample.decodeJson(json)),
      await time(() => sample.proto()),
      await time(() => sample.decodeProto(proto)),
    ]);

    const row: (string | number)[] = [sample.name];
    for (const [i, level] of gzipLevels.entries()) {
      row.push(await time(() => gzipSync(raw, { level })));
      const packed = gz[i];
      if (packed) row.push(await time(() => gunzipSync(packed)));
    }
    for (const [i, quality] of brotliLevels.entries()) {
      row.push(await time(() => brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: quality } }), 3, 100));
      const packed = br[i];
      if (packed) row.push(await time(() => brotliDecompressSync(packed)));
    }
    compressTimes.push(row);
  }

  table(
    'Bytes (JSON = the cache codec, UTF-8; protobuf = the gRPC message, binary)',
    ['statement', 'json', 'protobuf', ...gzipLevels.map((l) => `gzip-${l}`), ...brotliLevels.map((l) => `br-${l}`), 'gzip-1/json'],
    sizes,
  );
  table('Codec time, median µs', ['statement', 'json enc', 'json dec', 'proto enc', 'proto dec'], codecTimes);
  table(
    'Compression time over the JSON, median µs (c = compress, d = decompress)',
    ['statement', ...gzipLevels.flatMap((l) => [`gz${l} c`, `gz${l} d`]), ...brotliLevels.flatMap((l) => [`br${l} c`, `br${l} d`])],
    compressTimes,
  );

  // Redis round trips: the envelope as stored, uncompressed and gzip-1.
  const prefix = `measure-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const cache = new RedisStatementCache({ connection: { url: REDIS_URL }, keyPrefix: prefix, commandTimeoutMs: 2_000 });
  const uncompressed = new RedisStatementCache({
    connection: { url: REDIS_URL },
    keyPrefix: prefix,
    commandTimeoutMs: 2_000,
    compressAboveBytes: Number.MAX_SAFE_INTEGER,
  });
  const stamp = { epoch: 1n, version: 1n, asOfDate: '2026-06-15' };
  const roundTrips: (string | number)[][] = [];
  try {
    await Promise.all([cache.ready(), uncompressed.ready()]);
    for (const [index, { name, json }] of payloads.entries()) {
      const key = `${prefix}statement:school:${index}`;
      const plain = await packEnvelope(stamp, json, Number.MAX_SAFE_INTEGER);
      const zipped = await packEnvelope(stamp, json, 0);
      const setPlain = await time(() => redis.set(key, plain, 'EX', 60));
      const getPlain = await time(() => redis.getBuffer(key));
      const setZip = await time(() => redis.set(key, zipped, 'EX', 60));
      const getZip = await time(() => redis.getBuffer(key));
      let version = 1n;
      const logical = `statement:student:${index}`;
      const fill = await time(() => cache.fill(logical, { ...stamp, version: (version += 1n) }, json, 60));
      const get = await time(() => cache.get(logical));
      const stored = (await cache.get(logical))?.storedBytes ?? Number.NaN;
      const plainKey = `statement:school:${index}`;
      const fillPlain = await time(() => uncompressed.fill(plainKey, { ...stamp, version: (version += 1n) }, json, 60));
      const getPlainEntry = await time(() => uncompressed.get(plainKey));
      roundTrips.push([name, setPlain, getPlain, setZip, getZip, fillPlain, getPlainEntry, fill, get, stored]);
    }
  } finally {
    const deleted = await cache.deleteMatching('');
    console.log(`\n(cleaned ${deleted} keys under ${prefix})`);
    await Promise.all([cache.close(), uncompressed.close()]);
    redis.disconnect();
  }
  table(
    'Redis round trip, median µs: SET/GET of the envelope alone; fill/get through RedisStatementCache never compressing, then at the chosen threshold',
    ['statement', 'SET json', 'GET json', 'SET gzip1', 'GET gzip1', 'fill json', 'get json', 'fill', 'get', 'stored B'],
    roundTrips,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
