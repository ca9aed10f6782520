/**
 * The hot statements are planned once per connection, not at every
 * execution. PostgreSQL plans a prepared statement for its actual values
 * five times, then keeps a generic plan unless it judges that one dearer;
 * it does judge so for `= ANY($array)` (it estimates ten rows whatever the
 * array holds), and re-planning cost as much as running the query. What a
 * connection's plan cache did is in `pg_prepared_statements`.
 */
import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import type { SchoolId, StudentId } from '../../src/domain/ids.js';
import { SequelizeStatementVersionSource } from '../../src/infrastructure/postgres/statement-versions.js';
import { date } from '../contracts/fixtures.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { postgresUseCases } from '../support/postgres-use-cases.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const RUNS = 12;

interface PlanCounts {
  readonly statement: string;
  readonly generic_plans: string;
  readonly custom_plans: string;
}

interface Connections {
  getConnection(): Promise<{ query(text: string): Promise<{ rows: PlanCounts[] }> }>;
  releaseConnection(connection: unknown): Promise<void>;
}

async function planCounts(sequelize: Sequelize): Promise<PlanCounts[]> {
  const connections = sequelize.connectionManager as unknown as Connections;
  const connection = await connections.getConnection();
  try {
    return (await connection.query('SELECT statement, generic_plans::text, custom_plans::text FROM pg_prepared_statements')).rows;
  } finally {
    await connections.releaseConnection(connection);
  }
}

describe('plan cache of the hot statements (PostgreSQL)', () => {
  let db: TestDatabase;
  // One connection: every statement lands in one plan cache.
  let sequelize: Sequelize;

  before(async () => {
    db = await createTestDatabase();
    sequelize = db.connect({ poolMax: 1 });
  });
  after(async () => db?.drop());

  it('keeps one plan for version reads, a new payment and its version bump', async () => {
    const { useCases } = postgresUseCases(sequelize, new FakeClock('2026-03-10T12:00:00Z'));
    const school = await useCases.createSchool.execute({ name: 'Plans', currencyCode: 'USD', timezone: 'UTC' });
    const students: StudentId[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const student = await useCases.createStudent.execute({ schoolId: school.id, firstName: `P${i}`, lastName: 'Plan', email: '', externalRef: '', status: 'ACTIVE' });
      students.push(student.id);
      for (const term of [1, 2]) {
        await useCases.createInvoice.execute({
          studentId: student.id,
          description: `Term ${term}`,
          amountMinor: 10_000n,
          issueDate: date('2026-01-01'),
          dueDate: date(`2026-0${term}-15`),
          idempotencyKey: null,
        });
      }
    }
    const source = new SequelizeStatementVersionSource(sequelize);
    for (const studentId of students) {
      await useCases.createPayment.execute({ studentId, amountMinor: 15_000n, paidAt: null, method: 'CARD', reference: '', allocations: [], idempotencyKey: null });
      expect((await source.students([studentId])).get(studentId)?.version).to.be.a('bigint');
      expect((await source.schools([school.id as SchoolId])).get(school.id as SchoolId)?.version).to.be.a('bigint');
    }

    const counts = await planCounts(sequelize);
    const replanned = counts.filter((row) => Number(row.generic_plans) + Number(row.custom_plans) >= RUNS && Number(row.custom_plans) > 5);
    expect(
      replanned.map((row) => row.statement.replace(/\s+/g, ' ').trim().slice(0, 100)),
      'statements run at least RUNS times yet planned again at every run',
    ).to.deep.equal([]);
    const hot = {
      'student version read': /WHERE st\.id = \$1::uuid$/m,
      'school version read': /FROM schools\s+WHERE id = \$1::uuid$/m,
      "a payment's credit lock": /AND status = 'COMPLETED' AND applied_minor < amount_minor\s+ORDER BY/,
      'the version bump': /UPDATE students SET data_version = data_version \+ 1 WHERE id = \$1::uuid/,
    };
    for (const [name, pattern] of Object.entries(hot)) {
      const found = counts.filter((row) => pattern.test(row.statement));
      expect(found, name).to.have.length(1);
      expect(Number(found[0]!.generic_plans), `${name}: generic plans`).to.be.at.least(RUNS - 5);
      expect(Number(found[0]!.custom_plans), `${name}: custom plans`).to.be.at.most(5);
    }
  });

  it('reads several versions at once with the array form, as one id at a time would', async () => {
    const { useCases } = postgresUseCases(sequelize, new FakeClock('2026-03-10T12:00:00Z'));
    const school = await useCases.createSchool.execute({ name: 'Batch', currencyCode: 'USD', timezone: 'Europe/Paris' });
    const ids: StudentId[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await useCases.createStudent.execute({ schoolId: school.id, firstName: `B${i}`, lastName: 'Batch', email: '', externalRef: '', status: 'ACTIVE' })).id);
    }
    const source = new SequelizeStatementVersionSource(sequelize);
    const together = await source.students(ids);
    for (const id of ids) expect(together.get(id)).to.deep.equal((await source.students([id])).get(id));
    expect(together.get(ids[0]!)?.timezone).to.equal('Europe/Paris');
  });
});
