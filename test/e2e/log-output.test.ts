/**
 * The service's log lines on stdout when whoever reads them falls behind
 * (a container runtime's pipe, a log shipper that stalls): calls go on being
 * answered, and every line arrives once the reader catches up. A synchronous
 * logger blocks in its write as soon as the pipe is full, and every call in
 * the process waits with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { TEST_AUTH_ENV, adminToken } from '../support/auth.js';
import { NamedPipe } from '../support/named-pipe.js';
import { billingClients } from '../support/service-harness.js';
import { freePort } from '../support/spawned-service.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

// ~330 bytes per call line: several times the 64 KiB a pipe holds.
const CALLS = 1_200;

describe('log output to a reader that falls behind (spawned service process)', function () {
  this.timeout(120_000);
  let database: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  let stdout: NamedPipe | undefined;

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    stdout?.close();
    await database?.drop();
  });

  it('keeps answering calls while stdout is not read, loses no line once it is, and counts drops from zero', async () => {
    stdout = new NamedPipe();
    const [port, metricsPort] = [await freePort(), await freePort()];
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        ...TEST_AUTH_ENV,
        DATABASE_URL: database!.url,
        LOG_LEVEL: 'info',
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        METRICS_PORT: String(metricsPort),
        RATE_LIMIT_PER_SECOND: '0',
      },
      stdio: ['ignore', stdout.writeFd, 'inherit'],
    });
    stdout.closeWriter();
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
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).to.match(/^billing_log_lines_dropped_total 0$/m);
  });
});

function countLines(output: string): number {
  return output.split('\n').filter((line) => line.includes('"requestId":"quiet-')).length;
}
