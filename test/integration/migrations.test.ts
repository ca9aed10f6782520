import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { defineModels } from '../../src/infrastructure/postgres/models/index.js';
import { pendingMigrations, revertMigrations, runMigrations } from '../../src/infrastructure/postgres/migrate.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';
import { MIGRATIONS } from '../../src/infrastructure/postgres/migrations/index.js';

const ALL_MIGRATIONS = MIGRATIONS.map((migration) => migration.name);

const TABLES = ['allocations', 'cache_epoch', 'invoices', 'payments', 'schools', 'students'];

async function tables(db: TestDatabase): Promise<string[]> {
  const rows = await db.sequelize.query<{ table_name: string }>(
    `SELECT t.table_name FROM information_schema.tables t WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase({ migrate: false });
  });

  afterEach(async () => {
    await db.drop();
  });

  it('apply once when replicas run them concurrently (advisory lock), then find nothing pending', async () => {
    // Separate instances with a pool of one each: the lock session must live outside the pool.
    const replicas = Array.from({ length: 4 }, () => db.connect({ poolMax: 1 }));
    const results = await Promise.all(replicas.map((sequelize) => runMigrations(sequelize)));
    const applied = results.map((r) => r.applied);
    expect(applied.filter((names) => names.length > 0)).to.deep.equal([ALL_MIGRATIONS]);
    expect(await tables(db)).to.deep.equal(TABLES);
    expect((await runMigrations(db.sequelize)).applied).to.deep.equal([]);
    expect(await pendingMigrations(db.sequelize)).to.deep.equal([]);
    const recorded = await db.sequelize.query('SELECT name FROM schema_migrations', { type: QueryTypes.SELECT });
    expect(recorded).to.deep.equal(ALL_MIGRATIONS.map((name) => ({ name })));
  });

  it('revert cleanly and apply again', async () => {
    await runMigrations(db.sequelize);
    await revertMigrations(db.sequelize);
    expect(await tables(db)).to.deep.equal([]);
    expect(await pendingMigrations(db.sequelize)).to.deep.equal(ALL_MIGRATIONS);
    expect((await runMigrations(db.sequelize)).applied).to.deep.equal(ALL_MIGRATIONS);
    expect(await tables(db)).to.deep.equal(TABLES);
  });

  it('create a schema the models describe column for column, with no float anywhere', async () => {
    await runMigrations(db.sequelize);
    const models = defineModels(db.sequelize);
    const queryInterface = db.sequelize.getQueryInterface();
    for (const model of Object.values(models)) {
      const columns = await queryInterface.describeTable(model.getTableName());
      const fields = Object.values(model.getAttributes()).map((attribute) => attribute.field);
      expect(Object.keys(columns).sort(), model.name).to.deep.equal(fields.sort());
      for (const attribute of Object.values(model.getAttributes())) {
        expect(columns[attribute.field!]!.allowNull, `${model.name}.${attribute.field}`).to.equal(attribute.allowNull !== false);
      }
    }
    const floats = await db.sequelize.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('real', 'double precision', 'numeric', 'money')`,
      { type: QueryTypes.SELECT },
    );
    expect(floats).to.deep.equal([]);
    const money = await db.sequelize.query<{ column_name: string; data_type: string }>(
      `SELECT table_name || '.' || column_name AS column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name LIKE '%\\_minor' ORDER BY 1`,
      { type: QueryTypes.SELECT },
    );
    expect(money.length).to.equal(5);
    for (const column of money) expect(column.data_type, column.column_name).to.equal('bigint');
  });
});
