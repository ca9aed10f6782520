/**
 * PostgreSQL failing under the service as production wires it, on a private
 * PostgreSQL server (test/support/postgres-server.ts; never the shared one):
 *
 * - crashed (`pg_ctl stop -m immediate`) and started again in the middle of
 *   a stream of idempotent writes and statement reads: while it is down
 *   calls answer UNAVAILABLE quickly, never INTERNAL; health goes
 *   NOT_SERVING and comes back SERVING by itself; afterwards every
 *   acknowledged write is stored exactly once, unacknowledged ones at most
 *   once, retries with the same key never duplicate, and the first statement
 *   read after recovery reflects every acknowledged write;
 * - down when the service starts: with MIGRATE_ON_START (the default) the
 *   process exits 1 at once with the reason; with MIGRATE_ON_START=false it
 *   serves NOT_SERVING, answers UNAVAILABLE, and turns SERVING by itself
 *   when the database comes up.
 */
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import pg from 'pg';
import { pino } from 'pino';
import { type RunningService, startService } from '../../src/composition/service.js';
import { loadConfig } from '../../src/config.js';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from '../../src/gen/grpc/health/v1/health_pb.js';
import { TEST_AUTH_ENV, adminToken } from '../support/auth.js';
import { expectLedgerInvariantsAt } from '../support/ledger-invariants.js';
import { type PostgresServer, startPostgresServer } from '../support/postgres-server.js';
import { type BillingClients, billingClients } from '../support/service-harness.js';
import { spawnService } from '../support/spawned-service.js';
import { describeCounts, outcomeOf } from '../support/statement-consistency.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const PROBE_MS = 200;
/** The coarse bound on any call while the database is down: no hang (the pool's acquire timeout is 10 s). */
const DOWN_CALL_BOUND_MS = 3_000;
const CALL = { timeoutMs: 15_000 };

interface Running {
  readonly service: RunningService;
  readonly api: BillingClients;
  readonly health: Client<typeof Health>;
}

async function startOn(databaseUrl: string, env: Record<string, string> = {}): Promise<Running> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    METRICS_PORT: '0',
    SHUTDOWN_GRACE_MS: '2000',
    HEALTH_PROBE_INTERVAL_MS: String(PROBE_MS),
    RATE_LIMIT_PER_SECOND: '0',
    ...TEST_AUTH_ENV,
    ...env,
  });
  const service = await startService(config, pino({ level: 'silent' }));
  const baseUrl = `http://127.0.0.1:${service.grpcPort}`;
  return {
    service,
    api: billingClients(baseUrl, await adminToken()),
    health: createClient(Health, createGrpcTransport({ baseUrl })),
  };
}

async function healthOf(running: Running): Promise<ServingStatus> {
  return (await running.health.check({ service: '' }, { timeoutMs: 2_000 })).status;
}

/** Polls health until it says `status`; the time it took. */
async function waitForHealth(running: Running, status: ServingStatus, withinMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < withinMs) {
    if ((await healthOf(running)) === status) return performance.now() - started;
    await sleep(25);
  }
  throw new Error(`health did not become ${ServingStatus[status]} within ${withinMs} ms`);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

interface Attempt {
  readonly key: string;
  readonly amount: bigint;
  readonly startedAt: number;
  readonly ms: number;
  readonly outcome: string;
  readonly id: string | null;
}

describe('PostgreSQL faults under the service (private PostgreSQL server)', function () {
  this.timeout(120_000);
  let server: PostgresServer | undefined;
  let running: Running | undefined;

  before(async () => {
    server = await startPostgresServer();
  });
  afterEach(async () => {
    await running?.service.stop();
    running = undefined;
    if (server && !server.running) await server.start();
  });
  after(async () => {
    await server?.destroy();
  });

  async function freshDatabase(name: string): Promise<string> {
    await query(server!.url, `CREATE DATABASE ${name}`);
    return server!.urlOf(name);
  }

  it('crashed and restarted mid-stream: UNAVAILABLE fast while down, SERVING again by itself, every acknowledged write once, retries never duplicate, no stale statement', async () => {
    const url = await freshDatabase('crash_restart');
    running = await startOn(url);
    const { api } = running;
    expect(await healthOf(running)).to.equal(ServingStatus.SERVING);
    const school = (await api.schools.createSchool({ name: 'Crash High', currencyCode: 'USD', timezone: 'UTC' }, CALL)).school!;
    const student = (await api.students.createStudent({ schoolId: school.id, firstName: 'Cr', lastName: 'Ash' }, CALL)).student!;
    await api.invoices.createInvoice({ studentId: student.id, description: 'Fee', amountMinor: 10_000_000n, dueDate: '2030-01-01' }, CALL);

    const attempts: Attempt[] = [];
    const reads: { startedAt: number; ms: number; outcome: string }[] = [];
    let stop = false;
    let sequence = 0;
    const t0 = performance.now();
    const writer = async (w: number) => {
      while (!stop) {
        sequence += 1;
        const key = `crash-w${w}-${sequence}`;
        const amount = 100n + BigInt(sequence);
        const startedAt = performance.now() - t0;
        try {
          const { payment } = await api.payments.createPayment(
            { studentId: student.id, amountMinor: amount, method: PaymentMethod.CARD, idempotencyKey: key },
            CALL,
          );
          attempts.push({ key, amount, startedAt, ms: performance.now() - t0 - startedAt, outcome: 'OK', id: payment!.id });
        } catch (error) {
          attempts.push({ key, amount, startedAt, ms: performance.now() - t0 - startedAt, outcome: outcomeOf(error), id: null });
        }
        await sleep(15);
      }
    };
    const reader = async () => {
      while (!stop) {
        const startedAt = performance.now() - t0;
        try {
          await api.statements.getStudentStatement({ studentId: student.id }, CALL);
          reads.push({ startedAt, ms: performance.now() - t0 - startedAt, outcome: 'OK' });
        } catch (error) {
          reads.push({ startedAt, ms: performance.now() - t0 - startedAt, outcome: outcomeOf(error) });
        }
        await sleep(25);
      }
    };
    const loops = [writer(1), writer(2), writer(3), writer(4), reader()];

    await sleep(700);
    const crashAt = performance.now() - t0;
    await server!.stop('immediate');
    const downAt = performance.now() - t0;
    const notServingAfter = await waitForHealth(running, ServingStatus.NOT_SERVING, 5_000);
    await sleep(1_200);
    const restartAt = performance.now() - t0;
    await server!.start();
    const upAt = performance.now() - t0;
    const servingAfter = await waitForHealth(running, ServingStatus.SERVING, 10_000);
    // The first statement read once health says SERVING: it must reflect every write acknowledged so far.
    const ackedBefore = attempts.filter((a) => a.id !== null);
    const firstRead = (await api.statements.getStudentStatement({ studentId: student.id }, CALL)).statement!;
    await sleep(700);
    stop = true;
    await Promise.all(loops);

    const during = attempts.filter((a) => a.startedAt >= downAt && a.startedAt + a.ms <= restartAt);
    const failed = attempts.filter((a) => a.id === null);
    const acked = attempts.filter((a) => a.id !== null);
    const count = (list: { outcome: string }[]) => {
      const counts = new Map<string, number>();
      for (const item of list) counts.set(item.outcome, (counts.get(item.outcome) ?? 0) + 1);
      return counts;
    };
    const maxFailMs = Math.max(0, ...failed.map((a) => a.ms), ...reads.filter((r) => r.outcome !== 'OK').map((r) => r.ms));
    console.log(
      `      injected: pg_ctl stop -m immediate at ${crashAt.toFixed(0)} ms (down at ${downAt.toFixed(0)}), start at ${restartAt.toFixed(0)} ms (up at ${upAt.toFixed(0)})`,
    );
    console.log(
      `      observed: health NOT_SERVING ${notServingAfter.toFixed(0)} ms after the crash, SERVING ${servingAfter.toFixed(0)} ms after the restart; ` +
        `writes ${attempts.length} (${describeCounts(count(attempts))}), ${during.length} wholly while down; reads ${reads.length} (${describeCounts(count(reads))}); ` +
        `slowest failed call ${maxFailMs.toFixed(0)} ms`,
    );

    // While down: UNAVAILABLE, quickly; never INTERNAL or anything else.
    expect(during.length, 'writes attempted while the database was down').to.be.at.least(10);
    for (const outcome of [...count(attempts).keys(), ...count(reads).keys()]) {
      expect(outcome, 'every call succeeds or is UNAVAILABLE').to.be.oneOf(['OK', 'UNAVAILABLE/DATABASE_UNAVAILABLE']);
    }
    for (const attempt of during) expect(attempt.outcome, `write ${attempt.key} while down`).to.equal('UNAVAILABLE/DATABASE_UNAVAILABLE');
    expect(maxFailMs, 'slowest failed call (ms)').to.be.at.most(DOWN_CALL_BOUND_MS);
    expect(acked.filter((a) => a.startedAt > upAt + servingAfter).length, 'writes acknowledged after recovery').to.be.at.least(5);

    // Not stale: the first read after recovery has every write acknowledged before it.
    const paymentIds = new Set(firstRead.payments.map((line) => line.paymentId));
    for (const attempt of ackedBefore) expect(paymentIds.has(attempt.id!), `acknowledged payment ${attempt.key} in the statement`).to.equal(true);

    // Stored: acknowledged exactly once (with the acknowledged id), unacknowledged at most once.
    const stored = new Map(
      (await query<{ key: string; n: string; ids: string[] }>(url, `SELECT idempotency_key AS key, count(*) AS n, array_agg(id::text) AS ids FROM payments GROUP BY 1`)).map((row) => [
        row.key,
        row,
      ]),
    );
    for (const attempt of acked) {
      expect(stored.get(attempt.key)?.n, `rows for acknowledged ${attempt.key}`).to.equal('1');
      expect(stored.get(attempt.key)!.ids).to.deep.equal([attempt.id]);
    }
    const committedAnyway = failed.filter((a) => stored.has(a.key));
    for (const attempt of failed) expect(Number(stored.get(attempt.key)?.n ?? 0), `rows for failed ${attempt.key}`).to.be.at.most(1);

    // Retries of every failed write, same key and parameters: each is stored once, none twice.
    const retried = await Promise.all(
      failed.map((a) =>
        api.payments.createPayment({ studentId: student.id, amountMinor: a.amount, method: PaymentMethod.CARD, idempotencyKey: a.key }, CALL),
      ),
    );
    for (const [i, attempt] of failed.entries()) {
      const before = stored.get(attempt.key);
      if (before) expect(retried[i]!.payment!.id, `retry of ${attempt.key} returns the payment that committed`).to.equal(before.ids[0]);
    }
    const after = await query<{ key: string; n: string }>(url, `SELECT idempotency_key AS key, count(*) AS n FROM payments GROUP BY 1 HAVING count(*) > 1`);
    expect(after, 'keys stored twice').to.deep.equal([]);
    const [{ n } = { n: '?' }] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM payments`);
    expect(Number(n)).to.equal(attempts.length);
    console.log(
      `      after recovery: ${acked.length} acknowledged writes stored once each; ${failed.length} failed, of which ${committedAnyway.length} had committed; ` +
        `${failed.length} retries with the same keys → ${n} payments for ${attempts.length} keys`,
    );

    const statement = (await api.statements.getStudentStatement({ studentId: student.id }, CALL)).statement!;
    expect(statement.payments).to.have.length(attempts.length);
    expect(statement.totals!.receivedMinor).to.equal(attempts.reduce((sum, a) => sum + a.amount, 0n));
    await expectLedgerInvariantsAt(url);
  });

  it('down at start with MIGRATE_ON_START (the default): the process exits 1 at once, naming the reason', async () => {
    await server!.stop('immediate');
    const started = performance.now();
    let failure: unknown;
    try {
      await spawnService({ DATABASE_URL: server!.urlOf('postgres') }, 30_000);
    } catch (error) {
      failure = error;
    }
    const ms = performance.now() - started;
    const message = failure instanceof Error ? failure.message : String(failure);
    console.log(`      injected: database down at start; observed: ${message.split('\n').find((line) => line.includes('failed to start'))} after ${ms.toFixed(0)} ms`);
    expect(message).to.match(/service exited with 1 before it started/);
    expect(message).to.match(/failed to start: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(ms).to.be.below(15_000);
  });

  it('down at start with MIGRATE_ON_START=false: NOT_SERVING and UNAVAILABLE at once, SERVING by itself when the database comes up', async () => {
    const url = await freshDatabase('late_start');
    // Migrated beforehand (npm run migrate), as MIGRATE_ON_START=false expects.
    const setup = await startOn(url);
    await setup.service.stop();
    await server!.stop('immediate');

    running = await startOn(url, { MIGRATE_ON_START: 'false' });
    const { api } = running;
    expect(await healthOf(running)).to.equal(ServingStatus.NOT_SERVING);
    const down: { outcome: string; ms: number }[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      try {
        await api.schools.listSchools({}, CALL);
        down.push({ outcome: 'OK', ms: performance.now() - started });
      } catch (error) {
        down.push({ outcome: outcomeOf(error), ms: performance.now() - started });
      }
    }
    await server!.start();
    const servingAfter = await waitForHealth(running, ServingStatus.SERVING, 10_000);
    const school = (await api.schools.createSchool({ name: 'Late High', currencyCode: 'EUR', timezone: 'Europe/Paris' }, CALL)).school!;
    console.log(
      `      injected: database down when the service started; observed: health NOT_SERVING, calls ${down.map((d) => `${d.outcome} in ${d.ms.toFixed(0)} ms`).join(', ')}; ` +
        `SERVING ${servingAfter.toFixed(0)} ms after the database started, then a write succeeded`,
    );
    for (const call of down) {
      expect(call.outcome).to.equal('UNAVAILABLE/DATABASE_UNAVAILABLE');
      expect(call.ms).to.be.at.most(DOWN_CALL_BOUND_MS);
    }
    expect((await api.schools.getSchool({ id: school.id }, CALL)).school!.name).to.equal('Late High');
  });
});
