/**
 * SPEC §5, stampede: concurrent misses for one statement compute it once per
 * data version across all replicas while no replica dies. Two service
 * processes on one PostgreSQL database and a private redis-server; 500
 * concurrent reads of one cold school statement, split over several HTTP/2
 * connections to each; the sum of both replicas' `computations` for school
 * statements (CacheAdminService.GetCacheStats) must go up by exactly one.
 *
 * The statement is small (a school of 10 students with 4 invoices each), so a
 * computation takes a few ms and the fill lands while the burst is still
 * arriving: reads that looked at the key before the fill must still not
 * compute again once the lease is free (the holder of a freed lease looks at
 * the key again before computing). STAMPEDE_STUDENTS=2000 makes the
 * computation take tens of ms instead, so every read joins a computation or
 * a lease wait.
 */
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { CacheKindStats } from '../../src/gen/billing/v1/cache_admin_pb.js';
import type { StatementTotals } from '../../src/gen/billing/v1/statement_pb.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { type Replica, deadReplicas, startReplicas, stopReplicas } from '../support/replicas.js';
import type { BillingClients } from '../support/service-harness.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const READS = 500;
const CONNECTIONS_PER_REPLICA = 8;
const STUDENTS = Number(process.env.STAMPEDE_STUDENTS ?? 10);
const INVOICES_PER_STUDENT = 4;
const CALL = { timeoutMs: 30_000 };

/** A school of `students` students with `invoices` invoices each, inserted in bulk (RPCs would take seconds). */
async function bigSchool(database: TestDatabase, clients: BillingClients, name: string): Promise<string> {
  const school = (await clients.schools.createSchool({ name, currencyCode: 'USD', timezone: 'UTC' }, CALL)).school!;
  const sql = database.sequelize;
  await sql.query(
    `INSERT INTO students (id, school_id, first_name, last_name, status, created_at, updated_at)
     SELECT gen_random_uuid(), $school, 'Student', 'No ' || n, 'ACTIVE', now(), now() FROM generate_series(1, $students) AS n`,
    { bind: { school: school.id, students: STUDENTS } },
  );
  await sql.query(
    `INSERT INTO invoices (id, school_id, student_id, sequence, number, description, amount_minor, issue_date, due_date, state, created_at, updated_at)
     SELECT gen_random_uuid(), $school, s.id, r.seq, 'INV-' || lpad(r.seq::text, 6, '0'), 'Fee ' || k, 1000 + (r.seq % 97) * 10,
            DATE '2026-01-01', DATE '2026-01-01' + ((r.seq % 200))::int, 'ISSUED', now(), now()
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS i FROM students WHERE school_id = $school) AS s
       CROSS JOIN generate_series(1, $per) AS k
       CROSS JOIN LATERAL (SELECT (s.i - 1) * $per + k AS seq) AS r`,
    { bind: { school: school.id, per: INVOICES_PER_STUDENT } },
  );
  await sql.query(`UPDATE schools SET invoice_sequence = $n WHERE id = $school`, {
    bind: { school: school.id, n: STUDENTS * INVOICES_PER_STUDENT },
  });
  const [row] = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM invoices WHERE school_id = $school`, {
    bind: { school: school.id },
    type: QueryTypes.SELECT,
  });
  expect(Number(row!.n)).to.equal(STUDENTS * INVOICES_PER_STUDENT);
  return school.id;
}

const schoolKind = async (replica: Replica): Promise<CacheKindStats> =>
  (await replica.admin().getCacheStats({}, CALL)).stats!.kinds.find((kind) => kind.kind === 'school')!;

const totalsText = (totals: StatementTotals | undefined) => JSON.stringify(totals, (_, value) => (typeof value === 'bigint' ? value.toString() : value));

describe('stampede: 500 concurrent reads of one cold statement on two replicas', function () {
  this.timeout(120_000);
  let database: TestDatabase | undefined;
  let redis: RedisServer | undefined;
  let replicas: Replica[] = [];

  before(async () => {
    database = await createTestDatabase();
    redis = await startRedisServer();
    // The stampede is about single flight and leases, not a slow Redis: on a small CI machine 250
    // requests at once can hold a replica's event loop past the default 100 ms command timeout, and a
    // command that times out is a bypass, which computes by itself (SPEC §5, "Redis slow or down").
    replicas = await startReplicas(2, { databaseUrl: database.url, redisUrl: redis.url, env: { REDIS_COMMAND_TIMEOUT_MS: '1000' } });
  });

  after(async () => {
    await stopReplicas(replicas);
    await redis?.stop();
    await database?.drop();
  });

  it('computes the statement exactly once in total, and every read returns the same totals', async () => {
    const setup = replicas[0]!.connect();
    const cold = await bigSchool(database!, setup, 'Stampede High');
    // A twin school, read once, gives the cost of one computation (and warms both code paths).
    const twin = await bigSchool(database!, setup, 'Twin High');
    const connections = replicas.flatMap((replica) => Array.from({ length: CONNECTIONS_PER_REPLICA }, () => ({ replica, clients: replica.connect() })));
    await Promise.all(connections.map(({ clients }) => clients.schools.getSchool({ id: twin }, CALL))); // connections up
    const computeStarted = performance.now();
    await replicas[1]!.connect().statements.getSchoolStatement({ schoolId: twin }, CALL);
    const oneComputationMs = performance.now() - computeStarted;
    await Promise.all(replicas.map((replica) => replica.connect().statements.getSchoolStatement({ schoolId: twin }, CALL)));
    const before = await Promise.all(replicas.map(schoolKind));

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: READS }, async (_, i) => {
        const { replica, clients } = connections[i % connections.length]!;
        let status: string | null = null;
        const { statement } = await clients.statements.getSchoolStatement(
          { schoolId: cold },
          { ...CALL, onHeader: (headers) => (status = headers.get('x-cache-status')) },
        );
        return { replica: replica.name, status, totals: totalsText(statement!.totals), students: statement!.studentCount };
      }),
    );
    const elapsedMs = performance.now() - started;
    const after = await Promise.all(replicas.map(schoolKind));

    const delta = (field: 'computations' | 'leaseWaits' | 'leaseExpirations' | 'fillsStored' | 'fillsKept' | 'bypasses') =>
      after.map((kind, i) => Number(kind[field] - before[i]![field]));
    const computations = delta('computations');
    const statuses: Record<string, number> = {};
    for (const result of results) statuses[result.status ?? 'none'] = (statuses[result.status ?? 'none'] ?? 0) + 1;
    console.log(
      `      stampede: reads=${READS} replicas=2 connections=${connections.length} computations=${computations.join('+')}=${computations.reduce((a, b) => a + b, 0)} ` +
        `lease waits=${delta('leaseWaits').join('+')} lease expirations=${delta('leaseExpirations').join('+')} ` +
        `fills stored=${delta('fillsStored').join('+')} kept=${delta('fillsKept').join('+')} ` +
        `x-cache-status ${Object.entries(statuses).map(([s, n]) => `${s}=${n}`).join(' ')}; ` +
        `${elapsedMs.toFixed(0)} ms for all reads, one computation ~${oneComputationMs.toFixed(0)} ms (${STUDENTS} students, ${STUDENTS * INVOICES_PER_STUDENT} invoices)`,
    );

    expect(deadReplicas(replicas), 'replicas that died').to.deep.equal([]);
    expect(computations.reduce((a, b) => a + b, 0), 'computations on both replicas').to.equal(1);
    expect(delta('bypasses').reduce((a, b) => a + b, 0), 'bypasses').to.equal(0);
    expect(new Set(results.map((result) => result.totals)).size, 'distinct totals').to.equal(1);
    expect(results[0]!.students).to.equal(BigInt(STUDENTS));
    expect(new Set(results.map((result) => result.replica)).size).to.equal(2);
  });
});
