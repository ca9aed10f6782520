/**
 * Scale-out, end to end: the service on a private 3-master Redis Cluster,
 * and three service processes sharing one PostgreSQL and one Redis.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { CacheAdminService } from '../../src/gen/billing/v1/cache_admin_pb.js';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { type RedisClusterServers, startRedisCluster } from '../support/redis-server.js';
import { type BillingClients, type ServiceHarness, billingClients, startServiceHarness } from '../support/service-harness.js';
import { type SpawnedService, spawnService } from '../support/spawned-service.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';
import { adminToken, bearer } from '../support/auth.js';

const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function studentStatement(api: BillingClients, studentId: string) {
  let status: string | null = null;
  const { statement } = await api.statements.getStudentStatement({ studentId }, { onHeader: (headers) => (status = headers.get('x-cache-status')) });
  return { totals: statement!.totals!, name: `${statement!.student!.firstName} ${statement!.student!.lastName}`, status };
}

async function schoolStatement(api: BillingClients, schoolId: string) {
  let status: string | null = null;
  const { statement } = await api.statements.getSchoolStatement({ schoolId }, { onHeader: (headers) => (status = headers.get('x-cache-status')) });
  return { totals: statement!.totals!, rows: statement!.rows, status };
}

describe('the service on a 3-master Redis Cluster (REDIS_CLUSTER_NODES)', function () {
  this.timeout(120_000);
  let cluster: RedisClusterServers;
  let h: ServiceHarness;
  const prefix = `e2e${randomBytes(3).toString('hex')}:`;

  before(async () => {
    cluster = await startRedisCluster(3);
    h = await startServiceHarness({
      env: {
        REDIS_CLUSTER_NODES: cluster.startupNodes.map((node) => `${node.host}:${node.port}`).join(','),
        CACHE_KEY_PREFIX: prefix,
        REDIS_COMMAND_TIMEOUT_MS: '1000',
      },
    });
  });
  after(async () => {
    await h?.close();
    await cluster?.stop();
  });

  /** Statement keys held by each master. */
  const keysPerNode = async () =>
    Promise.all(cluster.nodes.map(async (node) => (await node.cli('--scan', '--pattern', `${prefix}statement:*`)).split('\n').filter((k) => k !== '')));

  it('serves statements from every slot, with x-cache-status, and CacheAdminService invalidates across masters', async () => {
    expect(h.service.cache).to.include('Redis Cluster');
    const school = (await h.schools.createSchool({ name: 'North High', currencyCode: 'USD', timezone: 'UTC' })).school!;
    const students = [];
    // 24 students and their school: the chance that a master holds none of the 25 keys is about 1 in 10,000.
    for (let i = 0; i < 24; i += 1) {
      const student = (await h.students.createStudent({ schoolId: school.id, firstName: `S${i}`, lastName: 'Cluster' })).student!;
      await h.invoices.createInvoice({ studentId: student.id, description: 'Tuition', amountMinor: 1000n, dueDate: '2030-01-31' });
      students.push(student);
    }

    const first = await Promise.all(students.map((s) => studentStatement(h, s.id)));
    const again = await Promise.all(students.map((s) => studentStatement(h, s.id)));
    const schoolFirst = await schoolStatement(h, school.id);
    const schoolAgain = await schoolStatement(h, school.id);
    expect(new Set(first.map((r) => r.status))).to.deep.equal(new Set(['miss']));
    expect(new Set(again.map((r) => r.status))).to.deep.equal(new Set(['hit']));
    expect([schoolFirst.status, schoolAgain.status]).to.deep.equal(['miss', 'hit']);

    // The keys really are spread over the three masters.
    const spread = await keysPerNode();
    expect(spread.map((keys) => keys.length).every((n) => n > 0), JSON.stringify(spread)).to.equal(true);
    expect(spread.flat()).to.have.length(25);

    // A write is seen at once, the student's and the school's statement alike.
    await h.payments.createPayment({ studentId: students[0]!.id, amountMinor: 400n, method: PaymentMethod.CASH });
    const paid = await studentStatement(h, students[0]!.id);
    const schoolPaid = await schoolStatement(h, school.id);
    expect([paid.status, paid.totals.outstandingMinor]).to.deep.equal(['miss', 600n]);
    expect([schoolPaid.status, schoolPaid.totals.outstandingMinor]).to.deep.equal(['miss', 23_600n]);

    const admin = createClient(CacheAdminService, createGrpcTransport({ baseUrl: h.baseUrl, interceptors: [bearer(h.token)] }));
    expect((await admin.getCacheStats({})).stats).to.include({ keyCount: 25n, keyCountKnown: true });
    expect((await admin.invalidateStatements({ target: { case: 'studentId', value: students[1]!.id } })).deletedKeys).to.equal(1n);
    expect([(await studentStatement(h, students[1]!.id)).status, (await studentStatement(h, students[2]!.id)).status]).to.deep.equal(['miss', 'hit']);
    expect((await admin.invalidateStatements({ target: { case: 'schoolId', value: school.id } })).deletedKeys).to.equal(1n);
    expect((await schoolStatement(h, school.id)).status).to.equal('miss');

    const all = await admin.invalidateStatements({ target: { case: 'all', value: true } });
    expect(all.deletedKeys).to.equal(25n);
    expect((await keysPerNode()).flat()).to.deep.equal([]);
    expect((await admin.getCacheStats({})).stats!.keyCount).to.equal(0n);
    expect(new Set((await Promise.all(students.map((s) => studentStatement(h, s.id)))).map((r) => r.status))).to.deep.equal(new Set(['miss']));
  });
});

describe('three replicas on one PostgreSQL and one Redis', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let replicas: SpawnedService[] = [];
  let apis: BillingClients[];
  let token: string;

  before(async () => {
    database = await createTestDatabase({ migrate: false });
    const env = { DATABASE_URL: database.url, REDIS_URL: SHARED_REDIS_URL, CACHE_KEY_PREFIX: `rep${randomBytes(3).toString('hex')}:` };
    // Started together: they migrate once, under the advisory lock.
    const started = await Promise.allSettled([spawnService(env), spawnService(env), spawnService(env)]);
    replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    token = await adminToken();
    apis = replicas.map((replica) => billingClients(`http://127.0.0.1:${replica.port}`, token));
  });
  after(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.drop();
  });

  it('shows a write through any replica in the statement reads of every other one (read-your-writes, no stale statement)', async () => {
    const [a] = apis as [BillingClients];
    const school = (await a.schools.createSchool({ name: 'North High', currencyCode: 'USD', timezone: 'UTC' })).school!;
    const student = (await a.students.createStudent({ schoolId: school.id, firstName: 'Ada', lastName: 'Lovelace' })).student!;
    await a.invoices.createInvoice({ studentId: student.id, description: 'Tuition', amountMinor: 100_000n, dueDate: '2030-01-31' });

    const statuses: string[] = [];
    let expected = 100_000n;
    for (let round = 0; round < 9; round += 1) {
      // Every replica has the current statement cached (a stale entry would be served as a hit if versions were not checked).
      for (const api of apis) {
        const read = await studentStatement(api, student.id);
        expect(read.totals.outstandingMinor).to.equal(expected);
      }
      const writer = apis[round % 3]!;
      if (round % 3 === 2) {
        await writer.students.updateStudent({ id: student.id, lastName: `Byron-${round}` });
      } else {
        await writer.payments.createPayment({ studentId: student.id, amountMinor: 1_000n, method: PaymentMethod.CARD });
        expected -= 1_000n;
      }
      for (const [index, api] of apis.entries()) {
        const read = await studentStatement(api, student.id);
        const rows = await schoolStatement(api, school.id);
        statuses.push(read.status!, rows.status!);
        expect(read.totals.outstandingMinor, `replica ${index} after round ${round}`).to.equal(expected);
        expect(rows.totals.outstandingMinor, `replica ${index} school statement after round ${round}`).to.equal(expected);
        if (round >= 2) expect(read.name).to.equal(`Ada Byron-${round - ((round - 2) % 3)}`);
      }
    }
    // The cache was in use all along: misses after each write, hits in between.
    expect(statuses).to.include('hit');
    expect(statuses).to.include('miss');
  });

  it('never serves a statement older than a write acknowledged before the read started, with readers racing the writers', async () => {
    const [a] = apis as [BillingClients];
    const school = (await a.schools.createSchool({ name: 'Race High', currencyCode: 'USD', timezone: 'UTC' })).school!;
    const student = (await a.students.createStudent({ schoolId: school.id, firstName: 'Alan', lastName: 'Turing' })).student!;
    await a.invoices.createInvoice({ studentId: student.id, description: 'Tuition', amountMinor: 100_000n, dueDate: '2030-01-31' });

    const acknowledged: { at: number; outstanding: bigint }[] = [];
    const reads: { startedAt: number; outstanding: bigint; replica: number }[] = [];
    let writing = true;
    // Each reader on its own connection, so that reads do not queue behind the writes.
    const readers = replicas.map(async (_replica, replica) => {
      const own = billingClients(`http://127.0.0.1:${replicas[replica]!.port}`, token);
      while (writing) {
        const startedAt = performance.now();
        const { totals } = await studentStatement(own, student.id);
        reads.push({ startedAt, outstanding: totals.outstandingMinor, replica });
      }
    });
    for (let i = 0; i < 24; i += 1) {
      await apis[i % 3]!.payments.createPayment({ studentId: student.id, amountMinor: 500n, method: PaymentMethod.CASH });
      acknowledged.push({ at: performance.now(), outstanding: 100_000n - 500n * BigInt(i + 1) });
    }
    writing = false;
    await Promise.all(readers);

    expect(reads.length).to.be.greaterThan(24);
    for (const read of reads) {
      const latest = acknowledged.filter((write) => write.at <= read.startedAt).at(-1);
      if (latest) expect(read.outstanding <= latest.outstanding, `replica ${read.replica} served ${read.outstanding} after ${latest.outstanding} was acknowledged`).to.equal(true);
    }
  });
});
