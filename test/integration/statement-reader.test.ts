import { expect } from 'chai';
import type { SchoolAccount, StatementReader } from '../../src/application/ports/statement-reader.js';
import type { Repositories } from '../../src/application/ports/unit-of-work.js';
import type { CalendarDate } from '../../src/domain/calendar-date.js';
import { addDays } from '../../src/domain/calendar-date.js';
import type { Invoice } from '../../src/domain/invoice.js';
import type { Payment } from '../../src/domain/payment.js';
import type { School } from '../../src/domain/school.js';
import type { SchoolStatementRow } from '../../src/domain/statement.js';
import { STUDENT_STATUSES, type Student } from '../../src/domain/student.js';
import { runWithDeadline } from '../../src/infrastructure/postgres/call-deadline.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { SequelizeStatementReader } from '../../src/infrastructure/postgres/statement-reader.js';
import { inMemoryRepositories } from '../fakes/in-memory-repositories.js';
import { InMemoryState } from '../fakes/in-memory-state.js';
import { InMemoryStatementReader } from '../fakes/in-memory-statement-reader.js';
import { aPayment, aSchool, aStudent, anInvoice, at, date } from '../contracts/fixtures.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const AS_OF = date('2026-03-10');

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}

/**
 * A school with `size` enrolled students (and former students, and a second
 * school) with varied invoices and payments, written through `targets`.
 */
async function seedSchool(targets: readonly Repositories[], size: number, seed: number): Promise<{ school: School; other: School; students: Student[] }> {
  const rnd = random(seed);
  const school = aSchool({ timezone: 'UTC', currencyCode: 'USD' });
  const other = aSchool({ timezone: 'UTC', currencyCode: 'USD' });
  const students: Student[] = [];
  const invoices: Invoice[] = [];
  const payments: Payment[] = [];
  const moves: Student[] = [];
  for (let i = 0; i < size; i += 1) {
    const home = i % 10 === 9 ? other : school;
    const student = aStudent(home, { firstName: `First${i}`, lastName: `Last${i}`, status: rnd.pick(STUDENT_STATUSES) });
    students.push(student);
    for (let k = rnd.int(0, 4); k > 0; k -= 1) {
      const amount = BigInt(rnd.int(1, 5) * 1_000 + rnd.int(0, 999));
      const roll = rnd.int(0, 3);
      const state = rnd.chance(0.1) ? 'VOID' : 'ISSUED';
      const applied = state === 'VOID' ? 0n : roll === 0 ? 0n : roll === 1 ? amount : BigInt(rnd.int(1, Number(amount) - 1));
      const due = addDays(AS_OF, rnd.int(-150, 30));
      invoices.push(anInvoice(student, { amountMinor: amount, appliedMinor: applied, state, dueDate: due, issueDate: addDays(due, -rnd.int(0, 30)) }));
    }
    for (let k = rnd.int(0, 2); k > 0; k -= 1) {
      const amount = BigInt(rnd.int(1, 9_000));
      const status = rnd.chance(0.15) ? 'REVERSED' : 'COMPLETED';
      const applied = status === 'REVERSED' ? 0n : BigInt(rnd.int(0, Number(amount)));
      payments.push(aPayment(student, { amountMinor: amount, appliedMinor: applied, status, paidAt: at(rnd.int(0, 1e9)) }));
    }
    // Some of the school's students have moved on, leaving their history behind.
    if (home === school && rnd.chance(0.1)) moves.push({ ...student, schoolId: other.id });
  }
  for (const r of targets) {
    await r.schools.insert(school);
    await r.schools.insert(other);
    for (const student of students) await r.students.insert(student);
    await r.invoices.insert(invoices);
    await r.payments.insert(payments);
    for (const student of moves) await r.students.update(student);
  }
  return { school, other, students };
}

async function everyPage(reader: StatementReader, school: School, size: number, asOf: CalendarDate = AS_OF) {
  const pages: SchoolAccount[] = [];
  let token: string | null = null;
  do {
    const page: SchoolAccount = (await reader.schoolAccount(school.id, () => asOf, { size, token }))!;
    pages.push(page);
    token = page.nextPageToken;
  } while (token !== null);
  return { pages, rows: pages.flatMap((p) => p.rows) };
}

const sum = (rows: readonly SchoolStatementRow[], pick: (r: SchoolStatementRow) => bigint) => rows.reduce((total, r) => total + pick(r), 0n);

describe('SequelizeStatementReader at size', () => {
  let db: TestDatabase;
  let queries: string[];
  let reader: SequelizeStatementReader;

  before(async () => {
    db = await createTestDatabase();
    queries = [];
    reader = new SequelizeStatementReader(db.connect({ logging: (sql) => queries.push(sql) }));
  });

  after(async () => {
    await db.drop();
  });

  async function counted<T>(read: () => Promise<T>): Promise<{ result: T; count: number }> {
    queries.length = 0;
    const result = await read();
    return { result, count: queries.length };
  }

  it('uses a constant number of queries whatever the size of the school', async () => {
    const small = await seedSchool([sequelizeRepositories(db.sequelize)], 5, 1);
    const large = await seedSchool([sequelizeRepositories(db.sequelize)], 200, 2);
    const smallRead = await counted(() => reader.schoolAccount(small.school.id, () => AS_OF, { size: 1000, token: null }));
    const largeRead = await counted(() => reader.schoolAccount(large.school.id, () => AS_OF, { size: 1000, token: null }));
    expect(largeRead.result!.rows.length).to.be.greaterThan(150);
    // The school for its timezone; the school again with its totals and a page of rows, one statement.
    expect(smallRead.count).to.equal(2);
    expect(largeRead.count).to.equal(2);
    const pagedRead = await counted(() => reader.schoolAccount(large.school.id, () => AS_OF, { size: 7, token: null }));
    expect(pagedRead.count).to.equal(2);
    // Under a deadline the figures statement runs in a transaction that caps it at the time left.
    const capped = await counted(() => runWithDeadline({ expiresAt: Date.now() + 60_000 }, () => reader.schoolAccount(large.school.id, () => AS_OF, { size: 7, token: null })));
    expect(capped.count).to.equal(5);
    expect(queries.some((sql) => sql.includes('statement_timeout'))).to.equal(true);
    expect(capped.result).to.deep.equal(pagedRead.result);

    const busiest = large.students.find((s) => s.schoolId === large.school.id)!;
    const studentRead = await counted(() => reader.studentAccount(busiest.id));
    const quietRead = await counted(() => reader.studentAccount(small.students[0]!.id));
    // BEGIN; student with school, invoices, payments; COMMIT.
    expect(studentRead.count).to.equal(5);
    expect(quietRead.count).to.equal(5);
    expect(queries.every((sql) => !/\b(INSERT|UPDATE|DELETE)\b/i.test(sql.replace(/^Executing \([^)]*\): /, '')))).to.equal(true);
  });

  it('reads the figures again when the school read with them dates the statement otherwise', async () => {
    const { school } = await seedSchool([sequelizeRepositories(db.sequelize)], 40, 5);
    const later = addDays(AS_OF, 45);
    // As if the timezone changed, to one with another date, between the school read and the figures.
    const given: School[] = [];
    const dates = [AS_OF, later, later];
    const read = await counted(() => reader.schoolAccount(school.id, (s) => dates[given.push(s) - 1]!, { size: 1000, token: null }));

    expect(given).to.have.length(3);
    expect(read.count).to.equal(3);
    const expected = await reader.schoolAccount(school.id, () => later, { size: 1000, token: null });
    expect(read.result!.asOfDate).to.equal(later);
    expect(read.result).to.deep.equal(expected);
    expect(read.result!.totals).to.not.deep.equal((await reader.schoolAccount(school.id, () => AS_OF, { size: 1000, token: null }))!.totals);
  });

  it('pages cover every row exactly once, and the rows add up to the totals', async () => {
    const { school } = await seedSchool([sequelizeRepositories(db.sequelize)], 200, 3);
    const whole = await everyPage(reader, school, 1000);
    expect(whole.pages).to.have.length(1);
    for (const size of [3, 64]) {
      const paged = await everyPage(reader, school, size);
      expect(paged.rows).to.deep.equal(whole.rows);
      expect(paged.pages).to.have.length(Math.ceil(whole.rows.length / size));
      expect(new Set(paged.rows.map((r) => r.studentId)).size).to.equal(paged.rows.length);
    }
    const { totals } = whole.pages[0]!;
    const rows = whole.rows;
    expect(sum(rows, (r) => r.invoicedMinor)).to.equal(totals.invoicedMinor);
    expect(sum(rows, (r) => r.appliedMinor)).to.equal(totals.appliedMinor);
    expect(sum(rows, (r) => r.outstandingMinor)).to.equal(totals.outstandingMinor);
    expect(sum(rows, (r) => r.creditMinor)).to.equal(totals.creditMinor);
    expect(sum(rows, (r) => r.overdueMinor)).to.equal(totals.overdueMinor);
    const aging = totals.aging;
    expect(aging.currentMinor + aging.days1To30Minor + aging.days31To60Minor + aging.days61To90Minor + aging.daysOver90Minor).to.equal(
      totals.outstandingMinor,
    );
    expect(totals.unpaidCount + totals.partiallyPaidCount + totals.paidCount + totals.voidCount).to.equal(totals.invoiceCount);
    expect(BigInt(rows.filter((r) => r.outstandingMinor > 0n).length)).to.equal(whole.pages[0]!.studentsWithBalanceCount);
    for (let i = 1; i < rows.length; i += 1) {
      const [previous, row] = [rows[i - 1]!, rows[i]!];
      const ordered = previous.outstandingMinor > row.outstandingMinor || (previous.outstandingMinor === row.outstandingMinor && previous.studentId < row.studentId);
      expect(ordered, `row ${i} out of order`).to.equal(true);
    }
  });

  it('agrees with the in-memory reader, figure for figure, on every page and date', async () => {
    const state = new InMemoryState();
    const { school, other, students } = await seedSchool([sequelizeRepositories(db.sequelize), inMemoryRepositories(state)], 120, 4);
    const fake = new InMemoryStatementReader(state);
    for (const asOf of [AS_OF, date('2025-09-01'), date('2026-12-31')]) {
      for (const target of [school, other]) {
        for (const size of [1000, 9]) {
          const [real, expected] = [await everyPage(reader, target, size, asOf), await everyPage(fake, target, size, asOf)];
          expect(real.rows).to.deep.equal(expected.rows);
          const strip = ({ rows: _rows, nextPageToken: _token, ...figures }: SchoolAccount) => figures;
          expect(real.pages.map(strip)).to.deep.equal(expected.pages.map(strip));
        }
      }
    }
    for (const student of students.slice(0, 30)) {
      expect(await reader.studentAccount(student.id), student.id).to.deep.equal(await fake.studentAccount(student.id));
    }
  });
});
