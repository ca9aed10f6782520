/**
 * Redis failing under concurrent writers and readers, through the service as
 * production wires it, on a private redis-server (SPEC §5 "Redis slow or
 * down"). test/e2e/redis-cache.test.ts covers a stop and a CLIENT PAUSE with
 * one caller at a time, and the stale-read checker restarts Redis cleanly;
 * this adds the crash: the server SIGKILLed with writes and reads in flight,
 * then started again, and frozen (SIGSTOP) mid-load, then thawed.
 *
 * Writers (one per student) create payments; readers read the students' and
 * the school's statements the whole time. Checked: no call fails; every read
 * that started after a write was acknowledged reflects it (student statement:
 * the payment is listed; school statement: received_minor covers every
 * acknowledged payment); x-cache-status is bypass while Redis is dead or
 * frozen, and hits come back after each fault.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { type RunningService, startService } from '../../src/composition/service.js';
import { loadConfig } from '../../src/config.js';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { TEST_AUTH_ENV, adminToken } from '../support/auth.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { type BillingClients, billingClients } from '../support/service-harness.js';
import { describeCounts, outcomeOf } from '../support/statement-consistency.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const COMMAND_TIMEOUT_MS = 100;
const CALL = { timeoutMs: 10_000 };
/** Coarse: a read may wait for a timed-out command or two on top of computing from PostgreSQL on a loaded CI machine. */
const READ_BOUND_MS = 1_500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Phase = 'warm' | 'killed' | 'restarted' | 'frozen' | 'thawed';

interface Ack {
  readonly studentId: string;
  readonly id: string;
  readonly amount: bigint;
  readonly at: number;
}

interface ReadRecord {
  readonly phase: Phase;
  readonly kind: 'student' | 'school';
  readonly startedAt: number;
  readonly ms: number;
  readonly status: string | null;
  readonly stale: string | null;
}

describe('Redis killed and frozen under concurrent writers and readers (end to end)', function () {
  this.timeout(120_000);
  let database: TestDatabase | undefined;
  let redis: RedisServer | undefined;
  let service: RunningService | undefined;
  let connections: BillingClients[] = [];

  before(async () => {
    database = await createTestDatabase();
    redis = await startRedisServer();
    const config = loadConfig({
      ...TEST_AUTH_ENV,
      RATE_LIMIT_PER_SECOND: '0',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      CACHE_KEY_PREFIX: `rk${randomBytes(4).toString('hex')}:`,
      // Every read goes to Redis (no in-process tier), so its faults show in every read.
      CACHE_LOCAL_ENTRIES: '0',
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      MIGRATE_ON_START: 'false',
      SHUTDOWN_GRACE_MS: '2000',
    });
    service = await startService(config, pino({ level: 'silent' }));
    const token = await adminToken();
    connections = Array.from({ length: 4 }, () => billingClients(`http://127.0.0.1:${service!.grpcPort}`, token));
  });

  after(async () => {
    await service?.stop();
    await redis?.stop('SIGKILL');
    await database?.drop();
  });

  it('0 errors, no stale statement, bypass while down or frozen and hits again after', async () => {
    const api = connections[0]!;
    const schoolId = (await api.schools.createSchool({ name: 'Crash Cache High', currencyCode: 'USD', timezone: 'UTC' }, CALL)).school!.id;
    const students: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const id = (await api.students.createStudent({ schoolId, firstName: `K${i}`, lastName: 'Ill' }, CALL)).student!.id;
      await api.invoices.createInvoice({ studentId: id, description: 'Fee', amountMinor: 50_000_000n, dueDate: '2030-01-01' }, CALL);
      students.push(id);
    }
    // A student nobody writes for: once Redis is back its statement is a hit on the second read.
    const quiet = (await api.students.createStudent({ schoolId, firstName: 'Qu', lastName: 'Iet' }, CALL)).student!.id;
    await api.invoices.createInvoice({ studentId: quiet, description: 'Fee', amountMinor: 1_000n, dueDate: '2030-01-01' }, CALL);

    const t0 = performance.now();
    const now = () => performance.now() - t0;
    let phase: Phase = 'warm';
    let stop = false;
    const acks: Ack[] = [];
    const reads: ReadRecord[] = [];
    const errors: string[] = [];

    const writer = async (w: number) => {
      const studentId = students[w]!;
      let n = 0;
      while (!stop) {
        n += 1;
        const amount = BigInt(10 + n);
        try {
          const { payment } = await connections[w % connections.length]!.payments.createPayment(
            { studentId, amountMinor: amount, method: PaymentMethod.CARD },
            CALL,
          );
          acks.push({ studentId, id: payment!.id, amount, at: now() });
        } catch (error) {
          errors.push(`write (${phase}): ${outcomeOf(error)}`);
        }
        await sleep(20);
      }
    };

    const reader = async (r: number) => {
      let n = 0;
      while (!stop) {
        n += 1;
        const c = connections[(r + n) % connections.length]!;
        const atPhase = phase;
        const startedAt = now();
        // What was acknowledged before this read started: all of it must be in the answer.
        const known = [...acks];
        let status: string | null = null;
        const onHeader = (h: Headers) => (status = h.get('x-cache-status'));
        try {
          if (n % 4 === 0) {
            const { statement } = await c.statements.getSchoolStatement({ schoolId }, { ...CALL, onHeader });
            const expected = known.reduce((sum, ack) => sum + ack.amount, 0n);
            const received = statement!.totals!.receivedMinor;
            const stale = received < expected ? `school received ${received} < acknowledged ${expected}` : null;
            reads.push({ phase: atPhase, kind: 'school', startedAt, ms: now() - startedAt, status, stale });
          } else {
            const studentId = n % 4 === 1 ? quiet : students[(r + n) % students.length]!;
            const { statement } = await c.statements.getStudentStatement({ studentId }, { ...CALL, onHeader });
            const listed = new Set(statement!.payments.map((line) => line.paymentId));
            const missing = known.filter((ack) => ack.studentId === studentId && !listed.has(ack.id));
            const stale = missing.length > 0 ? `student statement misses ${missing.length} acknowledged payment(s), e.g. ${missing[0]!.id}` : null;
            reads.push({ phase: atPhase, kind: 'student', startedAt, ms: now() - startedAt, status, stale });
          }
        } catch (error) {
          errors.push(`read (${atPhase}): ${outcomeOf(error)}`);
        }
        await sleep(5);
      }
    };

    const loops = [...students.map((_, w) => writer(w)), reader(0), reader(1), reader(2), reader(3)];
    const untilHit = async (deadline: number) => {
      const from = reads.length;
      while (!reads.slice(from).some((read) => read.status === 'hit' && read.phase === phase)) {
        if (Date.now() > deadline) throw new Error(`no cache hit within 8 s of the end of the fault (${phase})`);
        await sleep(20);
      }
      mark(`first hit (${phase})`);
    };
    const marks: string[] = [];
    const mark = (what: string) => marks.push(`${what}@${now().toFixed(0)}`);

    await sleep(700);
    mark(`SIGKILL pid ${redis!.pid}`);
    await redis!.stop('SIGKILL');
    phase = 'killed';
    await sleep(900);
    mark('restart');
    await redis!.restart();
    phase = 'restarted';
    // The client reconnects with a backoff of up to 1 s and the breaker probes after 1 s: wait for the first hit.
    await untilHit(Date.now() + 8_000);
    await sleep(300);
    mark(`SIGSTOP pid ${redis!.pid}`);
    redis!.freeze();
    phase = 'frozen';
    await sleep(900);
    mark('SIGCONT');
    redis!.thaw();
    phase = 'thawed';
    await untilHit(Date.now() + 8_000);
    await sleep(800);
    stop = true;
    await Promise.all(loops);

    const byPhase = (p: Phase) => reads.filter((read) => read.phase === p);
    const statuses = (list: readonly ReadRecord[]) => {
      const counts = new Map<string, number>();
      for (const read of list) counts.set(read.status ?? 'none', (counts.get(read.status ?? 'none') ?? 0) + 1);
      return counts;
    };
    const stale = reads.filter((read) => read.stale !== null);
    console.log(`      injected: ${marks.join(', ')}`);
    console.log(`      observed: ${acks.length} writes acknowledged, ${reads.length} reads, ${errors.length} errors, ${stale.length} stale reads`);
    for (const p of ['warm', 'killed', 'restarted', 'frozen', 'thawed'] as const) {
      const list = byPhase(p);
      console.log(`        ${p}: ${list.length} reads, x-cache-status ${describeCounts(statuses(list))}, slowest ${Math.max(0, ...list.map((r) => r.ms)).toFixed(0)} ms`);
    }

    expect(errors, 'errors seen by callers').to.deep.equal([]);
    expect(stale.map((read) => `${read.phase} ${read.kind} ${read.status}: ${read.stale}`), 'stale reads').to.deep.equal([]);
    expect(acks.length, 'writes acknowledged').to.be.at.least(30);
    for (const p of ['warm', 'killed', 'restarted', 'frozen', 'thawed'] as const) expect(byPhase(p).length, `reads while ${p}`).to.be.at.least(10);
    for (const read of reads) expect(read.ms, `${read.phase} ${read.kind} read (ms)`).to.be.at.most(READ_BOUND_MS);
    // Dead and frozen: never a hit (nothing can be read from Redis), mostly bypass.
    for (const p of ['killed', 'frozen'] as const) {
      const counts = statuses(byPhase(p));
      expect(counts.get('hit') ?? 0, `hits while ${p}`).to.equal(0);
      expect(counts.get('bypass') ?? 0, `bypasses while ${p}`).to.be.at.least(byPhase(p).length / 2);
    }
    // Back: hits again (statements are re-filled after each write's deletion).
    for (const p of ['warm', 'restarted', 'thawed'] as const) expect(statuses(byPhase(p)).get('hit') ?? 0, `hits while ${p}`).to.be.at.least(1);
    const lastThawed = byPhase('thawed').slice(-10);
    expect(lastThawed.filter((read) => read.status === 'bypass'), 'bypasses at the end of the run').to.deep.equal([]);
  });
});
