import { SequelizeStatementReader } from '../../src/infrastructure/postgres/statement-reader.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { SequelizeUnitOfWork } from '../../src/infrastructure/postgres/unit-of-work.js';
import { allContracts } from '../contracts/all.js';
import { createTestDatabase } from '../support/test-database.js';

describe('PostgreSQL adapters (Sequelize)', () => {
  allContracts(async () => {
    const db = await createTestDatabase();
    return {
      repositories: sequelizeRepositories(db.sequelize),
      uow: new SequelizeUnitOfWork(db.sequelize),
      reader: new SequelizeStatementReader(db.sequelize),
      close: () => db.drop(),
    };
  });
});
