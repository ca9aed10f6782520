import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { MIGRATIONS } from './migrations/index.js';

/** Advisory lock key shared by every replica of this service ("billing" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x62696c6c696e67n;

export interface MigrationResult {
  /** Migrations this call applied (empty when the schema was already current). */
  readonly applied: readonly string[];
}

function migrator(sequelize: Sequelize): Umzug<ReturnType<Sequelize['getQueryInterface']>> {
  return new Umzug({
    migrations: [...MIGRATIONS],
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/**
 * A session of its own (outside the pool, so a pool of one connection cannot
 * deadlock) that holds the migration lock while the migrations run.
 */
async function withMigrationLock<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  const config = sequelize.config;
  const dialectOptions = (config.dialectOptions ?? {}) as { ssl?: pg.ClientConfig['ssl']; connectionTimeoutMillis?: number };
  const client = new pg.Client({
    host: config.host,
    port: config.port === undefined ? undefined : Number(config.port),
    user: config.username,
    password: config.password ?? undefined,
    database: config.database,
    ssl: dialectOptions.ssl,
    connectionTimeoutMillis: dialectOptions.connectionTimeoutMillis,
    application_name: 'school-billing-migrate',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await client.end();
  }
}

/**
 * Brings the schema up to date. Replicas starting together serialise on a
 * PostgreSQL advisory lock, so exactly one applies each migration and the
 * others find nothing pending. Never uses `sync()` on the billing tables.
 */
export async function runMigrations(sequelize: Sequelize): Promise<MigrationResult> {
  return withMigrationLock(sequelize, async () => {
    const applied = await migrator(sequelize).up();
    return { applied: applied.map((migration) => migration.name) };
  });
}

/** Reverts every migration (tests and local resets only). */
export async function revertMigrations(sequelize: Sequelize): Promise<void> {
  await withMigrationLock(sequelize, async () => {
    await migrator(sequelize).down({ to: 0 });
  });
}

export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  return (await migrator(sequelize).pending()).map((migration) => migration.name);
}
