import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type Latency, latencyOf } from './stats.js';

const run = promisify(execFile);

export interface H2loadResult {
  readonly requests: number;
  readonly succeeded: number;
  readonly seconds: number;
  readonly throughput: number;
  /** Each request's time (when `logFile` was given). */
  readonly latency?: Latency;
}

/** One gRPC message as it travels in a DATA frame: uncompressed flag, big-endian length, protobuf bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  Buffer.from(message).copy(frame, 5);
  return frame;
}

/**
 * Native HTTP/2 load (nghttp2's h2load) so the client is not the bottleneck:
 * `connections` × `streams` requests in flight. h2load counts HTTP 200 as
 * success; gRPC status is checked separately by the caller. With `logFile`,
 * each request's time is kept (h2load's --log-file), for latency at
 * concurrency 1 measured by a client that costs the host next to nothing.
 */
export async function h2load(options: {
  url: string;
  body: Uint8Array;
  requests: number;
  connections: number;
  streams: number;
  token?: string;
  bodyFile: string;
  logFile?: string;
}): Promise<H2loadResult> {
  await writeFile(options.bodyFile, grpcFrame(options.body));
  // h2load appends to its log.
  if (options.logFile) await rm(options.logFile, { force: true });
  const headers = ['content-type: application/grpc', 'te: trailers', ...(options.token ? [`authorization: Bearer ${options.token}`] : [])];
  const { stdout } = await run(
    'h2load',
    [
      '-n', String(options.requests), '-c', String(options.connections), '-m', String(options.streams),
      ...headers.flatMap((h) => ['-H', h]), ...(options.logFile ? [`--log-file=${options.logFile}`] : []), '-d', options.bodyFile, options.url,
    ],
    { maxBuffer: 10 * 1024 * 1024 },
  );
  const finished = /finished in ([\d.]+)(m?s), ([\d.]+) req\/s/.exec(stdout);
  const requests = /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded/.exec(stdout);
  if (!finished || !requests) throw new Error(`unexpected h2load output:\n${stdout}`);
  const seconds = Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1);
  const result = { requests: Number(requests[1]), succeeded: Number(requests[2]), seconds, throughput: Number(finished[3]) };
  if (!options.logFile) return result;
  // One line per request: start (µs since the epoch), HTTP status, duration (µs).
  const lines = (await readFile(options.logFile, 'utf8')).split('\n').filter(Boolean);
  return { ...result, latency: latencyOf(lines.map((line) => Number(line.split('\t')[2]) / 1000)) };
}
