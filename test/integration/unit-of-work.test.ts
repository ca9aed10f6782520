import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { DomainError } from '../../src/domain/errors.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { SequelizeUnitOfWork } from '../../src/infrastructure/postgres/unit-of-work.js';
import { aSchool, aStudent, expectDomainError } from '../contracts/fixtures.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

// Test-only: renaming a school to "conflict:N" fails with a real serialization
// failure (40001) raised inside the transaction for the first N attempts.
const CONFLICT_TRIGGER = `
CREATE SEQUENCE conflict_attempts;
CREATE FUNCTION conflict_on_rename() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF nextval('conflict_attempts') <= split_part(NEW.name, ':', 2)::int THEN
    RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER conflict_on_rename BEFORE UPDATE ON schools
  FOR EACH ROW WHEN (NEW.name LIKE 'conflict:%') EXECUTE FUNCTION conflict_on_rename();`;

describe('SequelizeUnitOfWork retries', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;

  before(async () => {
    db = await createTestDatabase();
    await db.sequelize.query(CONFLICT_TRIGGER);
    // Sessions opened from now on detect deadlocks after 50 ms instead of 1 s.
    await db.sequelize.query(`ALTER DATABASE ${db.name} SET deadlock_timeout = '50ms'`);
    sequelize = db.connect();
  });

  after(async () => {
    await db.drop();
  });

  async function renameWith(failures: number, maxAttempts = 5) {
    const school = aSchool();
    await sequelizeRepositories(sequelize).schools.insert(school);
    await sequelize.query(`SELECT setval('conflict_attempts', 1, false)`);
    const outcome = { school, attempts: 0, result: Promise.resolve('') };
    outcome.result = new SequelizeUnitOfWork(sequelize, { maxAttempts, backoffMs: 1 }).run(async (r) => {
      outcome.attempts += 1;
      const locked = (await r.schools.lock(school.id))!;
      await r.schools.update({ ...locked, name: `conflict:${failures}` });
      return (await r.schools.findById(school.id))!.name;
    });
    return outcome;
  }

  it('runs the work again after a serialization failure (40001) and commits the retry', async () => {
    const outcome = await renameWith(2);
    expect(await outcome.result).to.equal('conflict:2');
    expect(outcome.attempts).to.equal(3);
  });

  it('answers TRANSACTION_CONFLICT once the attempts are spent, committing nothing', async () => {
    const outcome = await renameWith(100, 4);
    const error = await expectDomainError(outcome.result, 'TRANSACTION_CONFLICT');
    expect(error.category).to.equal('aborted');
    expect(outcome.attempts).to.equal(4);
    expect(await sequelizeRepositories(sequelize).schools.findById(outcome.school.id)).to.deep.equal(outcome.school);
  });

  it('survives a real deadlock: the victim is rolled back and rerun, both commit', async () => {
    const school = aSchool();
    const repos = sequelizeRepositories(sequelize);
    await repos.schools.insert(school);
    const [x, y] = [aStudent(school), aStudent(school)];
    await repos.students.insert(x);
    await repos.students.insert(y);
    let arrived = 0;
    let bothHoldOne!: () => void;
    const barrier = new Promise<void>((resolve) => (bothHoldOne = resolve));
    let attempts = 0;
    const uow = new SequelizeUnitOfWork(sequelize, { backoffMs: 1 });
    // Opposite lock orders: exactly what the one-lock-per-student rule prevents in the application.
    const crossLock = (first: typeof x, second: typeof x, firstName: string) =>
      uow.run(async (r) => {
        attempts += 1;
        const a = (await r.students.lock(first.id))!;
        if (++arrived === 2) bothHoldOne();
        await barrier;
        await r.students.lock(second.id);
        await r.students.update({ ...a, firstName });
      });
    await Promise.all([crossLock(x, y, 'Xavier'), crossLock(y, x, 'Yvonne')]);
    expect(attempts).to.equal(3);
    expect((await repos.students.findById(x.id))?.firstName).to.equal('Xavier');
    expect((await repos.students.findById(y.id))?.firstName).to.equal('Yvonne');
  });

  it('does not retry a DomainError', async () => {
    let attempts = 0;
    const refused = new DomainError('SCHOOL_HAS_DEPENDENTS', 'no', 'id');
    try {
      await new SequelizeUnitOfWork(sequelize).run(async () => {
        attempts += 1;
        throw refused;
      });
    } catch (error) {
      expect(error).to.equal(refused);
    }
    expect(attempts).to.equal(1);
  });
});
