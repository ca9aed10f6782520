/**
 * A school statement costs what that school holds, not what the database
 * holds: the figures query reaches students through the school's index (and
 * former students by primary key), never by reading every student of every
 * school. PostgreSQL guesses about as many accounts as invoices for a school
 * (it cannot know how many students share them), and with the students
 * joined after the aggregation that guess made it scan the whole table.
 */
import { expect } from 'chai';
import pg from 'pg';
import { preparedQuery } from '../../src/infrastructure/postgres/sql.js';
import { SCHOOL_FIGURES } from '../../src/infrastructure/postgres/statement-queries.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const SMALL = '00000000-0000-4000-8000-000000000001';
const LARGE = '00000000-0000-4000-8000-000000000002';

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: PlanNode[];
}

function scannedWhole(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scannedWhole)];
}

describe('school statement plan (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: pg.Client;

  before(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`
      INSERT INTO schools (id, name, currency_code, timezone, created_at, updated_at)
      VALUES ('${SMALL}', 'Small', 'EUR', 'UTC', now(), now()), ('${LARGE}', 'Large', 'EUR', 'UTC', now(), now());
      -- 50 students with 12 invoices each at the small school, 5,000 with one each at the large one.
      INSERT INTO students (id, school_id, first_name, last_name, status, created_at, updated_at)
      SELECT gen_random_uuid(), CASE WHEN n <= 50 THEN '${SMALL}'::uuid ELSE '${LARGE}'::uuid END, 'F', 'L' || n, 'ACTIVE', now(), now()
        FROM generate_series(1, 5050) AS n;
      INSERT INTO invoices (id, school_id, student_id, sequence, number, description, amount_minor, issue_date, due_date, state, created_at, updated_at)
      SELECT gen_random_uuid(), s.school_id, s.id, row_number() OVER (PARTITION BY s.school_id ORDER BY s.id, m),
             'INV-' || row_number() OVER (PARTITION BY s.school_id ORDER BY s.id, m), 'Fee', 1000, '2026-01-01', '2026-02-01', 'ISSUED', now(), now()
        FROM students s
        CROSS JOIN generate_series(1, 12) AS m
       WHERE s.school_id = '${SMALL}' OR m = 1;
      ANALYZE;
    `);
  });

  after(async () => {
    await client?.end();
    await db?.drop();
  });

  it('reads a small school without scanning the students of every school', async () => {
    const figures = preparedQuery(SCHOOL_FIGURES, { schoolId: SMALL, asOf: '2026-03-01', limit: 101, afterOutstanding: null, afterId: null });
    const text = figures.text.replace(/\$(\d+)/g, (_match, index: string) => {
      const value = figures.values[Number(index) - 1];
      return value === null ? 'NULL' : `'${String(value)}'`;
    });
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`);
    expect(scannedWhole(rows[0]!['QUERY PLAN'][0].Plan)).to.not.include('students');

    const answer = await client.query(figures);
    expect(answer.rows).to.have.length(50);
    expect(answer.rows[0].student_count).to.equal('50');
    expect(answer.rows[0].invoice_count).to.equal('600');
  });
});
