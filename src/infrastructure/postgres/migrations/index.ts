import type { QueryInterface } from 'sequelize';
import type { RunnableMigration } from 'umzug';
import { migration as initial } from './0001_initial.js';
import { migration as statementVersions } from './0002_statement_versions.js';

/** Every migration, in order. Listed explicitly so compiled and tsx runs see the same set. */
export const MIGRATIONS: ReadonlyArray<RunnableMigration<QueryInterface>> = [initial, statementVersions];
