import type { Sequelize, Transaction } from 'sequelize';
import type { Repositories } from '../../application/ports/unit-of-work.js';
import { SequelizeInvoiceRepository } from './invoice-repository.js';
import { SequelizePaymentRepository } from './payment-repository.js';
import { SequelizeSchoolRepository } from './school-repository.js';
import { SequelizeStudentRepository } from './student-repository.js';

/** Every repository over one Sequelize instance, bound to `transaction` when given (autocommit otherwise). */
export function sequelizeRepositories(sequelize: Sequelize, transaction: Transaction | null = null): Repositories {
  return {
    schools: new SequelizeSchoolRepository(sequelize, transaction),
    students: new SequelizeStudentRepository(sequelize, transaction),
    invoices: new SequelizeInvoiceRepository(sequelize, transaction),
    payments: new SequelizePaymentRepository(sequelize, transaction),
  };
}
