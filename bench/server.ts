import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, readFile } from 'node:fs/promises';
import { freePort } from '../test/support/spawned-service.js';

export interface BenchServer {
  readonly port: number;
  readonly pid: number;
  /** User + system CPU time of the process so far, in milliseconds. */
  cpuMs(): Promise<number>;
  /**
   * Time the main thread (the event loop) has run so far, in milliseconds, to the
   * nanosecond (the scheduler's own count), without the GC and compiler threads.
   */
  mainThreadCpuMs(): Promise<number>;
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = 100;

/**
 * The compiled service (`node dist/main.js`, or another build's `entry`) in
 * production configuration, its output to a log file; `flags` are Node flags
 * for this service alone.
 */
export async function startServer(env: Record<string, string>, logFile: string, entry = 'dist/main.js', flags: string[] = []): Promise<BenchServer> {
  const port = await freePort();
  const serviceEnv = { NODE_ENV: 'production', LOG_LEVEL: 'info', GRPC_HOST: '127.0.0.1', GRPC_PORT: String(port), ...env };
  return spawnUntilReady([...nodeArgs(), ...flags, entry], serviceEnv, port, logFile, 'School billing gRPC service on');
}

/** The floor server (floor-server.ts) on a free port. */
export async function startFloorServer(env: Record<string, string>, logFile: string): Promise<BenchServer> {
  const port = await freePort();
  return spawnUntilReady([...nodeArgs(), '--import', 'tsx', 'bench/floor-server.ts'], { FLOOR_PORT: String(port), ...env }, port, logFile, 'floor listening');
}

/**
 * For finding where a call's CPU goes: BENCH_CPU_PROFILE=<dir> makes the service and the floor
 * server write V8 CPU profiles there when they stop; BENCH_NODE_ARGS adds Node flags
 * (space-separated) to try on both.
 */
function nodeArgs(): string[] {
  return [
    ...(process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : []),
    ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
}

/**
 * Starts a server whose stdout and stderr go straight to `logFile`, as a
 * service's output goes to a file or a log collector, and waits for `ready`
 * in it. This process never reads the log while the bench runs: when it piped
 * the service's output through itself, copying the request log cost it
 * 0.2–0.4 ms of CPU per call on the same two CPUs, and a hit's throughput
 * measured that instead of the service.
 */
async function spawnUntilReady(args: string[], env: Record<string, string>, port: number, logFile: string, ready: string): Promise<BenchServer> {
  const output = await open(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', output.fd, output.fd] });
  } finally {
    await output.close();
  }
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  while (!(await readFile(logFile, 'utf8')).includes(ready)) {
    if (exited !== undefined) throw new Error(`${args.at(-1)} exited with ${exited}; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.at(-1)} did not start; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stat = async () => (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return {
    port,
    pid: child.pid!,
    async cpuMs() {
      const fields = await stat();
      // utime and stime are fields 14 and 15 of /proc/pid/stat (11 and 12 after the command name).
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    },
    async mainThreadCpuMs() {
      const schedstat = await readFile(`/proc/${child.pid}/task/${child.pid}/schedstat`, 'utf8');
      return Number(schedstat.split(' ')[0]) / 1e6;
    },
    async rssBytes() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
