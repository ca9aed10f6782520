/**
 * The service's log lines on stdout when whoever reads them falls behind
 * (a container runtime's pipe, a log shipper that stalls): calls go on being
 * answered, and every line arrives once the reader catches up. A synchronous
 * logger blocks in its write as soon as the pipe is full, and every call in
 * the process waits with it.
 *
 * stdout is a named pipe the test reads only when it chooses (a pipe of
 * Node's own would keep reading into the parent's memory).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TEST_AUTH_ENV, adminToken } from '../support/auth.js';
import { billingClients } from '../support/service-harness.js';
import { freePort } from '../support/spawned-service.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

// ~330 bytes per call line: several times the 64 KiB a pipe holds.
const CALLS = 1_200;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The read end of a named pipe, read without blocking. */
class PipeReader {
  private text = '';
  constructor(private readonly fd: number) {}

  /** Reads whatever the pipe holds now. */
  drain(): string {
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      let read: number;
      try {
        read = readSync(this.fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return this.text;
        throw error;
      }
      if (read === 0) return this.text;
      this.text += chunk.toString('utf8', 0, read);
    }
  }

  async until(done: (text: string) => boolean, timeoutMs: number): Promise<string> {
    for (const deadline = Date.now() + timeoutMs; !done(this.drain()) && Date.now() < deadline; ) await sleep(20);
    return this.text;
  }
}

describe('log output to a reader that falls behind (spawned service process)', function () {
  this.timeout(120_000);
  let database: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  let readFd: number | undefined;

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    if (readFd !== undefined) closeSync(readFd);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('keeps answering calls while stdout is not read, and loses no line once it is', async () => {
    dir = mkdtempSync(join(tmpdir(), 'billing-logs-'));
    const fifo = join(dir, 'stdout');
    execFileSync('mkfifo', [fifo]);
    readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY);
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...TEST_AUTH_ENV, DATABASE_URL: database!.url, LOG_LEVEL: 'info', GRPC_HOST: '127.0.0.1', GRPC_PORT: String(port), METRICS_PORT: '0', RATE_LIMIT_PER_SECOND: '0' },
      stdio: ['ignore', writeFd, 'inherit'],
    });
    closeSync(writeFd);
    const stdout = new PipeReader(readFd);
    expect(await stdout.until((text) => text.includes('School billing gRPC service on'), 60_000)).to.include('School billing gRPC service on');

    const api = billingClients(`http://127.0.0.1:${port}`, await adminToken());
    const school = (await api.schools.createSchool({ name: 'Quiet Logs High', currencyCode: 'USD', timezone: 'UTC' })).school!;
    const started = performance.now();
    for (let i = 0; i < CALLS; i += 1) {
      await api.schools.getSchool({ id: school.id }, { timeoutMs: 5_000, headers: { 'x-request-id': `quiet-${i}` } });
    }
    const elapsedMs = performance.now() - started;
    // Coarse: a call takes a few ms here; a write blocked on the full pipe never returns.
    expect(elapsedMs).to.be.below(CALLS * 25);

    const text = await stdout.until((read) => countLines(read) >= CALLS, 10_000);
    expect(countLines(text)).to.equal(CALLS);
  });
});

function countLines(output: string): number {
  return output.split('\n').filter((line) => line.includes('"requestId":"quiet-')).length;
}
