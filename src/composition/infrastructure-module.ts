import { ContainerModule } from 'inversify';
import type { Clock } from '../application/ports/clock.js';
import type { IdGenerator } from '../application/ports/id-generator.js';
import type { Sequelize } from 'sequelize';
import { sequelizeRepositories } from '../infrastructure/postgres/repositories.js';
import { closeSequelize } from '../infrastructure/postgres/sequelize.js';
import { SequelizeStatementReader } from '../infrastructure/postgres/statement-reader.js';
import { SequelizeUnitOfWork } from '../infrastructure/postgres/unit-of-work.js';
import { SystemClock } from '../infrastructure/system/system-clock.js';
import { UuidV7Ids } from '../infrastructure/system/uuid-v7-ids.js';
import { TOKENS } from './tokens.js';

export interface InfrastructureOverrides {
  /** Tests drive time by hand. */
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

/** The adapters behind the application's ports: PostgreSQL through Sequelize, the system clock, UUIDv7 ids. */
export function infrastructureModule(sequelize: Sequelize, overrides: InfrastructureOverrides = {}): ContainerModule {
  return new ContainerModule(({ bind, onDeactivation }) => {
    bind(TOKENS.sequelize).toConstantValue(sequelize);
    onDeactivation(TOKENS.sequelize, (instance) => closeSequelize(instance));
    bind(TOKENS.clock).toConstantValue(overrides.clock ?? new SystemClock());
    bind(TOKENS.ids).toConstantValue(overrides.ids ?? new UuidV7Ids());
    bind(TOKENS.unitOfWork)
      .toResolvedValue((db: Sequelize) => new SequelizeUnitOfWork(db), [TOKENS.sequelize])
      .inSingletonScope();
    bind(TOKENS.repositories)
      .toResolvedValue((db: Sequelize) => sequelizeRepositories(db), [TOKENS.sequelize])
      .inSingletonScope();
    bind(TOKENS.statementReader)
      .toResolvedValue((db: Sequelize) => new SequelizeStatementReader(db), [TOKENS.sequelize])
      .inSingletonScope();
  });
}
