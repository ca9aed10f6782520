import { expect } from 'chai';
import type { ChangedStatements } from '../../src/application/ports/statement-versions.js';
import type { SchoolId, StudentId } from '../../src/domain/ids.js';
import { SequelizeStatementReader } from '../../src/infrastructure/postgres/statement-reader.js';
import { SequelizeStatementVersionSource, bumpCacheEpoch } from '../../src/infrastructure/postgres/statement-versions.js';
import { SequelizeUnitOfWork } from '../../src/infrastructure/postgres/unit-of-work.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { postgresUseCases } from '../support/postgres-use-cases.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

describe('statement versions on PostgreSQL', () => {
  let db: TestDatabase;
  let schoolId: SchoolId;
  let studentId: StudentId;

  before(async () => {
    db = await createTestDatabase();
    const { useCases } = postgresUseCases(db.sequelize, new FakeClock());
    schoolId = (await useCases.createSchool.execute({ name: 'V', currencyCode: 'USD', timezone: 'UTC' })).id;
    studentId = (await useCases.createStudent.execute({ schoolId, firstName: 'V', lastName: 'V', email: '', externalRef: '', status: 'ACTIVE' })).id;
  });
  after(async () => db?.drop());

  const versions = async () => {
    const source = new SequelizeStatementVersionSource(db.sequelize);
    return { student: (await source.students([studentId])).get(studentId)!, school: (await source.schools([schoolId])).get(schoolId)! };
  };

  it('are bumped once per committed write, with the changes reported after the commit', async () => {
    const before = await versions();
    const reported: ChangedStatements[] = [];
    const uow = new SequelizeUnitOfWork(db.sequelize, { onCommitted: (changed) => reported.push(changed) });

    await uow.run(async ({ statements }) => {
      statements.students([studentId, studentId]);
      statements.schools([schoolId]);
    });

    const after = await versions();
    expect(after.student.version).to.equal(before.student.version + 1n);
    expect(after.school.version).to.equal(before.school.version + 1n);
    expect(reported).to.deep.equal([{ studentIds: [studentId], schoolIds: [schoolId] }]);
  });

  it('are not bumped, nor reported, by a rolled-back write', async () => {
    const before = await versions();
    const reported: ChangedStatements[] = [];
    const uow = new SequelizeUnitOfWork(db.sequelize, { onCommitted: (changed) => reported.push(changed) });

    const failed = await uow
      .run(async ({ statements }) => {
        statements.students([studentId]);
        throw new Error('business rule');
      })
      .catch((error: unknown) => error);

    expect(failed).to.be.instanceOf(Error);
    expect(await versions()).to.deep.equal(before);
    expect(reported).to.deep.equal([]);
  });

  it('are read in the statement snapshot equal to the current ones', async () => {
    const reader = new SequelizeStatementReader(db.sequelize);
    const current = await versions();

    const account = await reader.studentAccount(studentId);

    expect([account!.version, account!.epoch]).to.deep.equal([current.student.version, current.student.epoch]);
    expect(current.student.timezone).to.equal('UTC');
  });

  it('share an epoch that the restore command bumps for every statement at once', async () => {
    const before = await versions();

    const epoch = await bumpCacheEpoch(db.sequelize);

    const after = await versions();
    expect(epoch).to.equal(before.school.epoch + 1n);
    expect([after.student.epoch, after.school.epoch]).to.deep.equal([epoch, epoch]);
    expect(after.student.version).to.equal(before.student.version);
  });

  it('come back empty for owners that do not exist', async () => {
    const source = new SequelizeStatementVersionSource(db.sequelize);
    const unknown = '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22';
    expect((await source.students([unknown as StudentId])).size).to.equal(0);
    expect((await source.schools([unknown as SchoolId])).size).to.equal(0);
  });

  it("carry the student's current school (authorization reads it from them), in the one-id and the batch forms", async () => {
    const { useCases } = postgresUseCases(db.sequelize, new FakeClock());
    const other = (await useCases.createSchool.execute({ name: 'W', currencyCode: 'USD', timezone: 'Asia/Tokyo' })).id;
    const moving = (await useCases.createStudent.execute({ schoolId, firstName: 'M', lastName: 'M', email: '', externalRef: '', status: 'ACTIVE' })).id;
    const source = new SequelizeStatementVersionSource(db.sequelize);
    expect((await source.students([moving])).get(moving)).to.include({ schoolId, timezone: 'UTC' });

    await useCases.updateStudent.execute({ id: moving, schoolId: other });

    expect((await source.students([moving])).get(moving)).to.include({ schoolId: other, timezone: 'Asia/Tokyo' });
    const batch = await source.students([moving, studentId]);
    expect([batch.get(moving)!.schoolId, batch.get(studentId)!.schoolId]).to.deep.equal([other, schoolId]);
    expect((await source.schools([other])).get(other)).to.include({ schoolId: other });
  });
});
