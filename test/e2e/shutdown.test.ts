/**
 * Graceful shutdown of the service as its own process (`tsx src/main.ts`):
 * SIGTERM in the middle of a load of writes and reads over several HTTP/2
 * connections. Every call started before the signal completes OK (some are
 * held behind a row lock the test keeps for a while after the signal, so
 * they are surely in flight); health goes NOT_SERVING at once (seen on a
 * Watch stream opened beforehand); calls started once it said so are
 * refused cleanly (UNAVAILABLE), and the process exits 0 within the grace
 * period.
 */
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import pg from 'pg';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from '../../src/gen/grpc/health/v1/health_pb.js';
import { adminToken } from '../support/auth.js';
import { type BillingClients, billingClients } from '../support/service-harness.js';
import { type SpawnedService, spawnService } from '../support/spawned-service.js';
import { describeCounts, outcomeOf } from '../support/statement-consistency.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const GRACE_MS = 8_000;
const HOLD_AFTER_SIGNAL_MS = 600;
const HELD_WRITES = 8;
const CALL = { timeoutMs: 20_000 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Call {
  readonly kind: string;
  readonly startedAt: number;
  endedAt?: number;
  outcome?: string;
}

describe('graceful shutdown on SIGTERM under load (spawned service process)', function () {
  this.timeout(120_000);
  let database: TestDatabase | undefined;
  let service: SpawnedService | undefined;
  let locker: pg.Client | undefined;

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await locker?.end().catch(() => undefined);
    if (service && service.process.exitCode === null) service.process.kill('SIGKILL');
    await database?.drop();
  });

  it('completes every call started before the signal, says NOT_SERVING, refuses new calls cleanly, exits 0 within the grace period', async () => {
    service = await spawnService({ DATABASE_URL: database!.url, SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    const baseUrl = `http://127.0.0.1:${service.port}`;
    const token = await adminToken();
    const connections: BillingClients[] = Array.from({ length: 4 }, () => billingClients(baseUrl, token));
    const api = connections[0]!;
    const school = (await api.schools.createSchool({ name: 'Drain High', currencyCode: 'USD', timezone: 'UTC' }, CALL)).school!;
    const students: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const student = (await api.students.createStudent({ schoolId: school.id, firstName: `S${i}`, lastName: 'Drain' }, CALL)).student!;
      await api.invoices.createInvoice({ studentId: student.id, description: 'Fee', amountMinor: 1_000_000n, dueDate: '2030-01-01' }, CALL);
      students.push(student.id);
    }
    const held = students[0]!;
    // Warm the process (JIT, pool connections) so the load below is a real load.
    await Promise.all(
      connections.flatMap((c) => students.map((studentId) => c.statements.getStudentStatement({ studentId }, CALL))),
    );

    // A Watch stream opened before the signal sees the status change.
    const health = createClient(Health, createGrpcTransport({ baseUrl }));
    const statuses: { status: ServingStatus; at: number }[] = [];
    const t0 = performance.now();
    const watching = (async () => {
      try {
        for await (const { status } of health.watch({ service: '' }, { timeoutMs: 60_000 })) statuses.push({ status, at: performance.now() - t0 });
      } catch {
        // the stream ends when the server goes
      }
    })();

    const calls: Call[] = [];
    const track = (kind: string, on: BillingClients, run: (c: BillingClients) => Promise<unknown>) => {
      const call: Call = { kind, startedAt: performance.now() - t0 };
      calls.push(call);
      return run(on).then(
        () => Object.assign(call, { endedAt: performance.now() - t0, outcome: 'OK' }),
        (error: unknown) => Object.assign(call, { endedAt: performance.now() - t0, outcome: outcomeOf(error) }),
      );
    };

    // Writes for one student wait behind a row lock the test holds across the signal.
    locker = new pg.Client({ connectionString: database!.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM students WHERE id = $1 FOR UPDATE', [held]);
    const pending: Promise<unknown>[] = [];
    // Fewer than the pool's 20 connections: each waiting write holds one.
    for (let i = 0; i < HELD_WRITES; i += 1) {
      pending.push(
        track('held write', connections[i % connections.length]!, (c) =>
          c.payments.createPayment({ studentId: held, amountMinor: 100n + BigInt(i), method: PaymentMethod.CASH }, CALL),
        ),
      );
    }
    // And a steady load of writes and reads on the other students, until the signal.
    let signalled = false;
    const load = Array.from({ length: 6 }, async (_, w) => {
      const c = connections[w % connections.length]!;
      const studentId = students[1 + (w % 3)]!;
      while (!signalled) {
        const work =
          w % 2 === 0
            ? track('write', c, (x) => x.payments.createPayment({ studentId, amountMinor: 10n, method: PaymentMethod.CARD }, CALL))
            : track('read', c, (x) => x.statements.getStudentStatement({ studentId }, CALL));
        pending.push(work);
        await work;
      }
    });
    await sleep(800);
    signalled = true;
    const signalAt = performance.now() - t0;
    const startedBefore = calls.length;
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      service!.process.once('exit', (code) => resolve({ code, at: performance.now() - t0 })),
    );
    service.process.kill('SIGTERM');

    // Once health says NOT_SERVING, new calls are refused — on the connections in use and on a new one.
    const notServingBy = Date.now() + 5_000;
    while (!statuses.some((s) => s.status === ServingStatus.NOT_SERVING) && Date.now() < notServingBy) await sleep(5);
    const refusedAt = performance.now() - t0;
    const late = await Promise.all(
      [...connections, billingClients(baseUrl, token)].map(async (c) => {
        const started = performance.now();
        try {
          await c.schools.getSchool({ id: school.id }, { timeoutMs: 5_000 });
          return { outcome: 'OK', ms: performance.now() - started };
        } catch (error) {
          return { outcome: outcomeOf(error), ms: performance.now() - started };
        }
      }),
    );

    await sleep(HOLD_AFTER_SIGNAL_MS);
    await locker.query('COMMIT');
    await Promise.all(load);
    await Promise.all(pending);
    const { code, at: exitAt } = await exited;
    await watching;

    const before = calls.filter((call) => call.startedAt < signalAt);
    const inFlight = before.filter((call) => call.endedAt! > signalAt);
    const counts = new Map<string, number>();
    for (const call of before) counts.set(`${call.kind} ${call.outcome}`, (counts.get(`${call.kind} ${call.outcome}`) ?? 0) + 1);
    console.log(
      `      SIGTERM at ${signalAt.toFixed(0)} ms with ${startedBefore} calls started, ${inFlight.length} of them in flight ` +
        `(${inFlight.filter((c) => c.kind === 'held write').length} held behind a row lock until ${(signalAt + HOLD_AFTER_SIGNAL_MS).toFixed(0)} ms): ${describeCounts(counts)}`,
    );
    console.log(
      `      health: ${statuses.map((s) => `${ServingStatus[s.status]}@${s.at.toFixed(0)}`).join(' → ')}; ` +
        `${late.length} calls started at ${refusedAt.toFixed(0)} ms: ${late.map((l) => `${l.outcome} in ${l.ms.toFixed(0)} ms`).join(', ')}; ` +
        `exit code ${code} at ${exitAt.toFixed(0)} ms (${(exitAt - signalAt).toFixed(0)} ms after the signal, grace ${GRACE_MS} ms)`,
    );

    expect(inFlight.length, 'calls in flight at the signal').to.be.at.least(HELD_WRITES);
    expect(before.filter((call) => call.outcome !== 'OK').map((call) => `${call.kind}: ${call.outcome}`), 'failed in-flight calls').to.deep.equal([]);
    expect(statuses.map((s) => s.status)).to.deep.equal([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    expect(statuses[1]!.at - signalAt, 'NOT_SERVING after the signal (ms)').to.be.below(1_000);
    for (const call of late) {
      expect(call.outcome, 'a call started during the drain').to.equal('UNAVAILABLE');
      expect(call.ms).to.be.below(2_000);
    }
    expect(code, 'exit code').to.equal(0);
    expect(exitAt - signalAt, 'exit after the signal (ms)').to.be.below(GRACE_MS);
    expect(exitAt, 'exit after the held writes were released').to.be.above(signalAt + HOLD_AFTER_SIGNAL_MS);
    const { rows } = await locker.query<{ n: string }>('SELECT count(*) AS n FROM payments WHERE student_id = $1', [held]);
    expect(rows[0]!.n).to.equal(String(HELD_WRITES));
  });
});
