import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { TEST_AUTH_ENV } from './auth.js';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  // A run that dies half-way must not leave service processes behind.
  for (const child of live) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface SpawnedService {
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** The test entrypoint that runs the service with the seed's naive statement cache policy. */
export const NAIVE_SERVICE_ENTRY = 'test/support/naive-main.ts';

export interface SpawnOptions {
  /** The script to run under tsx (default src/main.ts); it must print the same banner line. */
  readonly entry?: string;
  readonly timeoutMs?: number;
}

/**
 * The service as its own process (`tsx src/main.ts`, or `options.entry`),
 * started with `env` on a free port; resolves once it prints its banner. It
 * checks tokens signed with the test secret (./auth.ts: `testToken`,
 * `adminToken`) unless `env` sets AUTH_JWT_SECRET itself (an empty value
 * means unset: the development secret in DATA_DIR); the rate limit and the
 * metrics endpoint are off unless `env` sets them.
 */
export async function spawnService(env: Record<string, string>, options: number | SpawnOptions = {}): Promise<SpawnedService> {
  const { entry = 'src/main.ts', timeoutMs = 60_000 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    // Metrics off unless `env` asks for them: the default port would clash between services.
    env: { ...process.env, LOG_LEVEL: 'warn', GRPC_HOST: '127.0.0.1', GRPC_PORT: String(port), ...TEST_AUTH_ENV, RATE_LIMIT_PER_SECOND: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      if (output.includes('School billing gRPC service on')) {
        clearTimeout(timer);
        // Tests read `output()` later; searching it on every chunk for the rest of the run is waste.
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before it started:\n${output}`));
    });
  });
  return {
    port,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
