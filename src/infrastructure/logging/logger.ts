import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Paths pino censors wherever they appear in a log line: credentials must
 * never reach the logs, whatever a caller of the logger passes it.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.metadata.authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
];

export type LogDestination = ReturnType<typeof pino.destination>;

/**
 * stdout (or `fd`), written asynchronously in chunks: lines gather into writes
 * of at least 4 KiB, sent at least every 200 ms and on exit. pino's default
 * sends each line on its own (a write through libuv's thread pool and a
 * callback per line: per-call cost on the hot path); a synchronous
 * destination would stop the event loop, and every call in flight, whenever
 * the pipe's reader falls behind. A backlog beyond `maxBytes` (16 MiB: a
 * reader that stopped) is dropped rather than held; `countDroppedLines`
 * counts what was.
 */
export function stdoutDestination({ fd = 1, maxBytes = 16 * 1024 * 1024 }: { fd?: number; maxBytes?: number } = {}): LogDestination {
  return pino.destination({ dest: fd, sync: false, minLength: 4096, maxLength: maxBytes, periodicFlush: 200 });
}

/** Counts the lines the destination dropped from now on (each write is one line); returns the running count. */
export function countDroppedLines(destination: LogDestination): () => number {
  let dropped = 0;
  destination.on('drop', () => {
    dropped += 1;
  });
  return () => dropped;
}

/** The service's structured JSON logger (one line per event, ISO time, credentials redacted); stdout by default. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    // `app`, not `service`: the per-call lines carry the gRPC service under that name.
    base: { app: 'school-billing' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
