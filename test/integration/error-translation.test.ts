import { expect } from 'chai';
import { createServer } from 'node:net';
import { QueryTypes } from 'sequelize';
import { DomainError } from '../../src/domain/errors.js';
import { translateDatabaseError } from '../../src/infrastructure/postgres/errors.js';
import { createSequelize } from '../../src/infrastructure/postgres/sequelize.js';
import { SequelizeStatementReader } from '../../src/infrastructure/postgres/statement-reader.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { SequelizeUnitOfWork } from '../../src/infrastructure/postgres/unit-of-work.js';
import { aSchool, expectDomainError, expectRejection } from '../contracts/fixtures.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('database errors become domain errors in one place', () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });

  after(async () => {
    await db.drop();
  });

  it('answers DATABASE_UNAVAILABLE when the server cannot be reached', async () => {
    const sequelize = createSequelize(`postgres://postgres@127.0.0.1:${await closedPort()}/nothing`, { connectTimeoutMs: 1_000 });
    try {
      const id = aSchool().id;
      await expectDomainError(sequelizeRepositories(sequelize).schools.findById(id), 'DATABASE_UNAVAILABLE');
      await expectDomainError(new SequelizeUnitOfWork(sequelize).run((r) => r.schools.lock(id)), 'DATABASE_UNAVAILABLE');
      await expectDomainError(new SequelizeStatementReader(sequelize).studentAccount(id as never), 'DATABASE_UNAVAILABLE');
    } finally {
      await sequelize.close();
    }
  });

  it('answers DATABASE_UNAVAILABLE when the server ends the session (57P01)', async () => {
    const victim = db.connect({ poolMax: 1 });
    const [session] = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT });
    const running = victim.query('SELECT pg_sleep(10)');
    running.catch(() => undefined); // rejected before the test awaits it
    await new Promise((r) => setTimeout(r, 100));
    await db.sequelize.query('SELECT pg_terminate_backend($pid)', { bind: { pid: session!.pid } });
    const error = translateDatabaseError(await expectRejection(running));
    expect(error).to.be.instanceOf(DomainError);
    expect((error as DomainError).reason).to.equal('DATABASE_UNAVAILABLE');
    expect((error as DomainError).message).to.equal('database unavailable');
  });

  it('answers DEADLINE_EXCEEDED when a statement is cancelled (57014)', async () => {
    const slow = db.connect({ statementTimeoutMs: 50 });
    const error = translateDatabaseError(await expectRejection(slow.query('SELECT pg_sleep(2)')));
    expect(error).to.be.instanceOf(DomainError);
    expect((error as DomainError).reason).to.equal('DEADLINE_EXCEEDED');
    // Through the adapters: a lock wait cut short by the statement timeout.
    const school = aSchool();
    await sequelizeRepositories(db.sequelize).schools.insert(school);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = new SequelizeUnitOfWork(db.sequelize).run(async (r) => {
      await r.schools.lock(school.id);
      locked();
      await held;
    });
    await isLocked;
    try {
      await expectDomainError(new SequelizeUnitOfWork(slow).run((r) => r.schools.lock(school.id)), 'DEADLINE_EXCEEDED');
    } finally {
      release();
      await holder;
    }
  });

  it('lets every other failure through unchanged (a bug is not a domain error)', async () => {
    const error = await expectRejection(db.sequelize.query('SELECT * FROM no_such_table'));
    expect(translateDatabaseError(error)).to.equal(error);
  });
});
