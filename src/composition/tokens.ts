import type { ServiceIdentifier } from 'inversify';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { Clock } from '../application/ports/clock.js';
import type { IdGenerator } from '../application/ports/id-generator.js';
import type { StatementReader } from '../application/ports/statement-reader.js';
import type { Repositories, UnitOfWork } from '../application/ports/unit-of-work.js';
import type { BillingUseCases } from '../application/use-cases.js';

/** Every injection token, in one place. */
export const TOKENS = {
  logger: Symbol('Logger') as ServiceIdentifier<Logger>,
  sequelize: Symbol('Sequelize') as ServiceIdentifier<Sequelize>,
  clock: Symbol('Clock') as ServiceIdentifier<Clock>,
  ids: Symbol('IdGenerator') as ServiceIdentifier<IdGenerator>,
  unitOfWork: Symbol('UnitOfWork') as ServiceIdentifier<UnitOfWork>,
  /** Repositories outside any transaction, for reads. */
  repositories: Symbol('Repositories') as ServiceIdentifier<Repositories>,
  statementReader: Symbol('StatementReader') as ServiceIdentifier<StatementReader>,
  useCases: Symbol('BillingUseCases') as ServiceIdentifier<BillingUseCases>,
} as const;
