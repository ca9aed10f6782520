import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { runMigrations } from '../../src/infrastructure/postgres/migrate.js';
import { type SequelizeOptions, createSequelize } from '../../src/infrastructure/postgres/sequelize.js';

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly sequelize: Sequelize;
  /** Another Sequelize on the same database (e.g. with query logging); closed by drop(). */
  connect(options?: SequelizeOptions): Sequelize;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A fresh database for one suite: created from TEST_DATABASE_URL, migrated
 * (unless `migrate: false`), dropped with every connection to it by drop().
 * Any failure here fails the suite; nothing is ever skipped.
 */
export async function createTestDatabase(options: { migrate?: boolean } & SequelizeOptions = {}): Promise<TestDatabase> {
  const name = `billing_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const url = databaseUrl(name);
  const opened: Sequelize[] = [];
  const connect = (extra: SequelizeOptions = {}) => {
    const sequelize = createSequelize(url, { poolMax: 10, ...extra });
    opened.push(sequelize);
    return sequelize;
  };
  const sequelize = connect(options);
  try {
    if (options.migrate !== false) await runMigrations(sequelize);
  } catch (error) {
    await Promise.allSettled(opened.map((s) => s.close()));
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
    throw error;
  }
  return {
    name,
    url,
    sequelize,
    connect,
    async drop() {
      await Promise.allSettled(opened.map((s) => s.close()));
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}
