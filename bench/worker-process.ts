import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Job } from './worker.js';

const execFileAsync = promisify(execFile);

/** Runs one job in its own client process (worker.ts), so its CPU is not the bench's or the server's. */
export async function runWorker<T>(job: Job): Promise<T> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'bench/worker.ts', JSON.stringify(job)], {
    maxBuffer: 10 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}
