/**
 * The service as production wires it (composition root, PostgreSQL, gRPC)
 * on a private redis-server with a random CACHE_KEY_PREFIX, seen from both
 * sides: what an operator sees with redis-cli (key names, readable values,
 * TTL, no leases left behind), the admin RPCs against Redis, and what callers
 * see when that Redis is stopped, paused (CLIENT PAUSE) and restarted
 * mid-test: every read succeeds within a bound, and nothing stale is served
 * afterwards, even with old values left in the keys.
 */
import { randomBytes } from 'node:crypto';
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { QueryTypes } from 'sequelize';
import { type RunningService, startService } from '../../src/composition/service.js';
import { loadConfig } from '../../src/config.js';
import { CacheAdminService } from '../../src/gen/billing/v1/cache_admin_pb.js';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { type BillingClients, billingClients } from '../support/service-harness.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';
import { TEST_AUTH_ENV, adminToken, bearer } from '../support/auth.js';

const COMMAND_TIMEOUT_MS = 100;
const TTL_SECONDS = 600;
const PREFIX = `rc${randomBytes(4).toString('hex')}:`;
const CALL = { timeoutMs: 10_000 };

/** "bypass x37, miss, hit": a sequence of statuses with repeats collapsed. */
function statusRuns(reads: readonly Read[]): string {
  const runs: [string, number][] = [];
  for (const read of reads) {
    const last = runs.at(-1);
    if (last && last[0] === read.status) last[1] += 1;
    else runs.push([read.status ?? 'none', 1]);
  }
  return runs.map(([status, n]) => (n > 1 ? `${status} x${n}` : status)).join(', ');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const today = () => new Date().toISOString().slice(0, 10);

interface Read {
  readonly status: string | null;
  readonly ms: number;
  readonly receivedMinor: bigint;
  readonly invoiceCount: bigint;
}

describe('statement cache on a real Redis, through the service', function () {
  this.timeout(60_000);
  let database: TestDatabase | undefined;
  let redis: RedisServer | undefined;
  let service: RunningService | undefined;
  let raw: Redis | undefined;
  let api: BillingClients;
  let admin: Client<typeof CacheAdminService>;

  before(async () => {
    database = await createTestDatabase();
    redis = await startRedisServer();
    const config = loadConfig({
      ...TEST_AUTH_ENV,
      RATE_LIMIT_PER_SECOND: '0',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      CACHE_KEY_PREFIX: PREFIX,
      // These tests are about what Redis holds: every read goes there.
      CACHE_LOCAL_ENTRIES: '0',
      CACHE_TTL_SECONDS: String(TTL_SECONDS),
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      MIGRATE_ON_START: 'false',
      SHUTDOWN_GRACE_MS: '2000',
      // Not the default 9464: another service on this machine (a second test run, say) may hold it.
      METRICS_PORT: '0',
    });
    service = await startService(config, pino({ level: 'silent' }));
    const baseUrl = `http://127.0.0.1:${service.grpcPort}`;
    const token = await adminToken();
    api = billingClients(baseUrl, token);
    admin = createClient(CacheAdminService, createGrpcTransport({ baseUrl, interceptors: [bearer(token)] }));
    raw = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    raw.on('error', () => undefined);
  });

  after(async () => {
    raw?.disconnect();
    await service?.stop();
    await redis?.stop();
    await database?.drop();
  });

  async function school(name = 'Redis High') {
    return (await api.schools.createSchool({ name, currencyCode: 'USD', timezone: 'UTC' }, CALL)).school!.id;
  }
  async function student(schoolId: string) {
    return (await api.students.createStudent({ schoolId, firstName: 'Ada', lastName: 'Lovelace' }, CALL)).student!.id;
  }
  async function invoice(studentId: string, amountMinor = 900n) {
    await api.invoices.createInvoice({ studentId, description: 'Tuition', amountMinor, dueDate: '2030-01-01' }, CALL);
  }
  async function pay(studentId: string, amountMinor: bigint) {
    await api.payments.createPayment({ studentId, amountMinor, method: PaymentMethod.CASH }, CALL);
  }

  async function readStudent(studentId: string): Promise<Read> {
    let status: string | null = null;
    const started = performance.now();
    const { statement } = await api.statements.getStudentStatement({ studentId }, { ...CALL, onHeader: (h) => (status = h.get('x-cache-status')) });
    const totals = statement!.totals!;
    return { status, ms: performance.now() - started, receivedMinor: totals.receivedMinor, invoiceCount: totals.invoiceCount };
  }

  async function readSchool(schoolId: string): Promise<Read> {
    let status: string | null = null;
    const started = performance.now();
    const { statement } = await api.statements.getSchoolStatement({ schoolId }, { ...CALL, onHeader: (h) => (status = h.get('x-cache-status')) });
    const totals = statement!.totals!;
    return { status, ms: performance.now() - started, receivedMinor: totals.receivedMinor, invoiceCount: totals.invoiceCount };
  }

  const scan = async (pattern: string) =>
    (await redis!.cli('--scan', '--pattern', pattern))
      .split('\n')
      .filter((line) => line !== '')
      .sort();

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  describe('as operators see it', () => {
    it(`names keys <prefix>statement:student:{id} and <prefix>statement:school:{id}, and leaves no lease behind`, async () => {
      await raw!.flushall();
      const schoolId = await school();
      const [a, b] = [await student(schoolId), await student(schoolId)];
      await invoice(a);
      await Promise.all([readStudent(a), readStudent(b), readSchool(schoolId), readStudent(a)]);

      expect(await scan(`${PREFIX}statement:*`)).to.deep.equal(
        [`${PREFIX}statement:school:${schoolId}`, `${PREFIX}statement:student:${a}`, `${PREFIX}statement:student:${b}`].sort(),
      );
      expect(await scan('statement:*'), 'keys outside the prefix').to.deep.equal([]);
      expect(await scan(`${PREFIX}*lease*`), 'lease keys').to.deep.equal([]);
    });

    it('GET shows a JSON header line with the data version, then the statement as JSON; TTL is CACHE_TTL_SECONDS', async () => {
      const schoolId = await school();
      const studentId = await student(schoolId);
      await invoice(studentId, 1234n);
      await pay(studentId, 200n);
      expect((await readStudent(studentId)).status).to.equal('miss');
      const key = `${PREFIX}statement:student:${studentId}`;

      const value = await redis!.cli('--raw', 'GET', key);
      const newline = value.indexOf('\n');
      const [row] = await database!.sequelize.query<{ version: string; epoch: string }>(
        `SELECT data_version::text AS version, (SELECT epoch::text FROM cache_epoch) AS epoch FROM students WHERE id = $id`,
        { bind: { id: studentId }, type: QueryTypes.SELECT },
      );
      expect(JSON.parse(value.slice(0, newline))).to.deep.equal({ format: 1, epoch: row!.epoch, version: row!.version, asOf: today(), encoding: 'json' });
      const body = JSON.parse(value.slice(newline + 1).trimEnd()) as { student: { id: string }; totals: { invoicedMinor: string; receivedMinor: string } };
      expect(body.student.id).to.equal(studentId);
      expect(body.totals).to.include({ invoicedMinor: '1234', receivedMinor: '200' });
      expect(Number(await redis!.cli('TTL', key))).to.be.within(TTL_SECONDS - 5, TTL_SECONDS);
      expect((await readStudent(studentId)).status).to.equal('hit');
    });

    it('a write deletes the key after commit; the next read is a miss with the new figures, then a hit', async () => {
      const schoolId = await school();
      const studentId = await student(schoolId);
      await invoice(studentId);
      await readStudent(studentId);
      const key = `${PREFIX}statement:student:${studentId}`;
      expect(await redis!.cli('EXISTS', key)).to.equal('1\n');

      await pay(studentId, 300n);
      await until('the key to go', async () => ((await redis!.cli('EXISTS', key)) === '0\n' ? true : undefined));
      const [after, again] = [await readStudent(studentId), await readStudent(studentId)];
      expect([after.status, after.receivedMinor, again.status]).to.deep.equal(['miss', 300n, 'hit']);
    });
  });

  describe('compare-and-set fills and leases in Redis', () => {
    async function stampOf(studentId: string) {
      const [row] = await database!.sequelize.query<{ version: string; epoch: string }>(
        `SELECT data_version::text AS version, (SELECT epoch::text FROM cache_epoch) AS epoch FROM students WHERE id = $id`,
        { bind: { id: studentId }, type: QueryTypes.SELECT },
      );
      return row!;
    }
    const studentStats = async () => (await admin.getCacheStats({}, CALL)).stats!.kinds.find((k) => k.kind === 'student')!;

    it('the fill script replaces an older entry and keeps a newer one (fills_kept)', async () => {
      const schoolId = await school();
      const studentId = await student(schoolId);
      await invoice(studentId);
      await readStudent(studentId);
      const key = `${PREFIX}statement:student:${studentId}`;
      const value = (await raw!.get(key))!;
      const header = JSON.parse(value.slice(0, value.indexOf('\n'))) as { version: string };

      // An entry stamped with a version the database has not reached: refused, and not overwritten.
      const newer = value.replace(`"version":"${header.version}"`, `"version":"${BigInt(header.version) + 1000n}"`);
      await raw!.set(key, newer);
      const before = await studentStats();
      const reads = [await readStudent(studentId), await readStudent(studentId)];
      const after = await studentStats();
      expect(reads.map((r) => r.status)).to.deep.equal(['miss', 'miss']);
      expect(Number(after.fillsKept - before.fillsKept)).to.equal(2);
      expect(Number(after.staleRejections - before.staleRejections)).to.equal(2);
      expect(await raw!.get(key)).to.equal(newer);

      // An entry from an older version: refused, and replaced by the next fill.
      const older = value.replace(`"version":"${header.version}"`, `"version":"0"`);
      await raw!.set(key, older);
      expect([(await readStudent(studentId)).status, (await readStudent(studentId)).status]).to.deep.equal(['miss', 'hit']);
      expect(JSON.parse((await raw!.get(key))!.split('\n')[0]!)).to.include({ version: (await stampOf(studentId)).version });
    });

    it('a miss waits while another holder has the lease <key>:lease:<epoch>.<version>.<date>, and computes once it is free', async () => {
      const schoolId = await school();
      const studentId = await student(schoolId);
      await invoice(studentId);
      const { epoch, version } = await stampOf(studentId);
      const lease = `${PREFIX}statement:student:${studentId}:lease:${epoch}.${version}.${today()}`;
      expect(await raw!.set(lease, 'another-replica', 'PX', 5_000, 'NX')).to.equal('OK');
      const before = await studentStats();

      let settled = false;
      const read = readStudent(studentId).finally(() => (settled = true));
      await sleep(300);
      expect(settled, 'the read waits for the lease holder').to.equal(false);
      await raw!.del(lease);
      const result = await read;
      const after = await studentStats();

      expect(result.status).to.equal('miss');
      expect(result.ms).to.be.within(300, 2_000);
      expect(Number(after.leaseWaits - before.leaseWaits)).to.equal(1);
      expect(Number(after.computations - before.computations)).to.equal(1);
      expect(await scan(`${PREFIX}*:lease:*`), 'its own lease, released').to.deep.equal([]);
      expect((await readStudent(studentId)).status).to.equal('hit');
    });
  });

  describe('CacheAdminService against Redis', () => {
    it('counts only statement keys under the prefix; invalidates a student, a school, then all of them', async () => {
      await raw!.flushall();
      // Someone else's keys on the same Redis: another prefix, and no prefix.
      await raw!.set('statement:student:00000000-0000-4000-8000-000000000001', 'foreign');
      await raw!.set('other:statement:school:00000000-0000-4000-8000-000000000002', 'foreign');
      const schoolId = await school();
      const [a, b] = [await student(schoolId), await student(schoolId)];
      await Promise.all([readStudent(a), readStudent(b), readSchool(schoolId)]);

      expect((await admin.getCacheStats({}, CALL)).stats).to.include({ keyCount: 3n, keyCountKnown: true });
      expect((await admin.invalidateStatements({ target: { case: 'studentId', value: a } }, CALL)).deletedKeys).to.equal(1n);
      expect(await redis!.cli('EXISTS', `${PREFIX}statement:student:${a}`)).to.equal('0\n');
      expect((await admin.invalidateStatements({ target: { case: 'schoolId', value: schoolId } }, CALL)).deletedKeys).to.equal(1n);
      expect(await scan(`${PREFIX}statement:*`)).to.deep.equal([`${PREFIX}statement:student:${b}`]);
      expect((await admin.invalidateStatements({ target: { case: 'all', value: true } }, CALL)).deletedKeys).to.equal(1n);
      expect((await admin.getCacheStats({}, CALL)).stats).to.include({ keyCount: 0n, keyCountKnown: true });
      expect(await redis!.cli('DBSIZE')).to.equal('2\n'); // the foreign keys are still there
    });

    it('warms a school and its students into Redis, so that the next reads are hits', async () => {
      await raw!.flushall();
      const schoolId = await school();
      const students = [await student(schoolId), await student(schoolId), await student(schoolId)];
      await invoice(students[0]!);

      const warmed = await admin.warmStatements({ schoolId }, CALL);
      expect([warmed.computed, warmed.alreadyCached]).to.deep.equal([4n, 0n]);
      expect(await scan(`${PREFIX}statement:*`)).to.have.length(4);
      for (const id of students) expect((await readStudent(id)).status).to.equal('hit');
      expect((await readSchool(schoolId)).status).to.equal('hit');
      const { stats } = await admin.getCacheStats({}, CALL);
      expect(stats!.keyCount).to.equal(4n);
    });
  });

  describe('Redis stopped, paused and restarted mid-test', () => {
    let schoolId: string;
    let studentId: string;
    let boundMs: number;

    before(async () => {
      schoolId = await school('Faults High');
      studentId = await student(schoolId);
      await invoice(studentId);
      // The normal latency of a read that computes from PostgreSQL: the slowest of a few misses.
      const normal: number[] = [];
      for (let i = 0; i < 8; i += 1) {
        await admin.invalidateStatements({ target: { case: 'all', value: true } }, CALL);
        normal.push((await readStudent(studentId)).ms, (await readSchool(schoolId)).ms);
      }
      boundMs = 3 * COMMAND_TIMEOUT_MS + Math.max(...normal);
      console.log(`      normal miss latency max ${Math.max(...normal).toFixed(1)} ms; bound under faults ${boundMs.toFixed(1)} ms`);
    });

    async function statsOf(kind: 'student' | 'school') {
      return (await admin.getCacheStats({}, CALL)).stats!.kinds.find((k) => k.kind === kind)!;
    }

    it('stopped: reads succeed as bypass within the bound; a write meanwhile is reflected after the restart, even over the old value', async () => {
      const key = `${PREFIX}statement:student:${studentId}`;
      await readStudent(studentId);
      const fresh = await readStudent(studentId);
      expect(fresh.status).to.equal('hit');
      const old = await raw!.getBuffer(key);
      expect(old, 'the entry before the stop').to.not.equal(null);

      await redis!.stop();
      const down: Read[] = [];
      for (let i = 0; i < 6; i += 1) down.push(await readStudent(studentId), await readSchool(schoolId));
      await pay(studentId, 250n); // acknowledged while Redis is down: the key cannot be deleted
      const afterWrite = await readStudent(studentId);
      console.log(`      Redis stopped: ${down.length} reads, max ${Math.max(...down.map((r) => r.ms)).toFixed(1)} ms, statuses ${statusRuns(down)}`);
      for (const read of down) {
        expect(read.status).to.equal('bypass');
        expect(read.ms).to.be.at.most(boundMs);
      }
      expect([afterWrite.status, afterWrite.receivedMinor - fresh.receivedMinor]).to.deep.equal(['bypass', 250n]);

      // Back, and holding the entry from before the write (as a Redis that kept its data would).
      await redis!.restart();
      const staleBefore = (await statsOf('student')).staleRejections;
      await raw!.set(key, old!);
      const seen: Read[] = [];
      await until('a read that is not a bypass', async () => {
        const read = await readStudent(studentId);
        seen.push(read);
        return read.status === 'bypass' ? undefined : read;
      });
      seen.push(await readStudent(studentId));
      console.log(`      restarted with the old entry in the key: ${statusRuns(seen)}`);
      for (const read of seen) expect(read.receivedMinor - fresh.receivedMinor, 'the write made while Redis was down').to.equal(250n);
      expect(seen.slice(-2).map((r) => r.status)).to.deep.equal(['miss', 'hit']);
      expect(Number((await statsOf('student')).staleRejections - staleBefore), 'the old entry refused').to.be.at.least(1);
      const school = [await readSchool(schoolId), await readSchool(schoolId)];
      expect(school.map((r) => r.status)).to.deep.equal(['miss', 'hit']);
      expect(school[1]!.receivedMinor).to.equal(afterWrite.receivedMinor);
    });

    it('paused (CLIENT PAUSE 2000 ALL): reads succeed within the bound; a write during the pause is reflected afterwards', async () => {
      const before = await readStudent(studentId);
      const pauser = new Redis(redis!.url, { maxRetriesPerRequest: 1 });
      pauser.on('error', () => undefined);
      let pausedUntil: number;
      try {
        await pauser.call('CLIENT', 'PAUSE', '2000', 'ALL'); // ends by itself
        pausedUntil = Date.now() + 2_000;
      } finally {
        pauser.disconnect();
      }
      const paused: Read[] = [];
      let wrote = false;
      while (Date.now() < pausedUntil - 300) {
        paused.push(await readStudent(studentId), await readSchool(schoolId));
        if (!wrote) {
          await pay(studentId, 75n);
          wrote = true;
        }
      }
      console.log(
        `      CLIENT PAUSE: ${paused.length} reads, max ${Math.max(...paused.map((r) => r.ms)).toFixed(1)} ms, statuses ${statusRuns(paused)}`,
      );
      for (const read of paused) {
        expect(read.status).to.be.oneOf(['bypass', 'miss']);
        expect(read.ms).to.be.at.most(boundMs);
      }
      expect(paused.some((read) => read.status === 'bypass')).to.equal(true);

      await sleep(Math.max(0, pausedUntil - Date.now()));
      const seen: Read[] = [];
      await until('a hit after the pause', async () => {
        const read = await readStudent(studentId);
        seen.push(read);
        return read.status === 'hit' ? read : undefined;
      });
      console.log(`      after the pause: ${statusRuns(seen)}`);
      for (const read of seen) expect(read.receivedMinor - before.receivedMinor, 'the write made during the pause').to.equal(75n);
      expect(seen.filter((read) => read.status !== 'bypass').map((read) => read.status)).to.deep.equal(['miss', 'hit']);
    });
  });
});
