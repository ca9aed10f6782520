/** The PostgreSQL adapters, for the composition root. */
export { type SequelizeOptions, closeSequelize, createSequelize } from './sequelize.js';
export { type MigrationResult, pendingMigrations, revertMigrations, runMigrations } from './migrate.js';
export { sequelizeRepositories } from './repositories.js';
export { SequelizeSchoolRepository } from './school-repository.js';
export { SequelizeStudentRepository } from './student-repository.js';
export { SequelizeInvoiceRepository } from './invoice-repository.js';
export { SequelizePaymentRepository } from './payment-repository.js';
export { SequelizeUnitOfWork, type UnitOfWorkOptions } from './unit-of-work.js';
export { SequelizeStatementReader } from './statement-reader.js';
export { type EmbeddedPostgres, type EmbeddedPostgresOptions, startEmbeddedPostgres } from './embedded.js';
