import pg from 'pg';
import type { Sequelize } from 'sequelize';

/**
 * Does PostgreSQL answer? A `SELECT 1` on a connection of its own (outside
 * the pool, so a busy pool does not look like a dead database), bounded by
 * `timeoutMs` for connecting and for the query. Rejects when it does not.
 */
export async function probeDatabase(sequelize: Sequelize, timeoutMs: number): Promise<void> {
  const config = sequelize.config;
  const dialectOptions = (config.dialectOptions ?? {}) as { ssl?: pg.ClientConfig['ssl'] };
  const client = new pg.Client({
    host: config.host,
    port: config.port === undefined ? undefined : Number(config.port),
    user: config.username,
    password: config.password ?? undefined,
    database: config.database,
    ssl: dialectOptions.ssl,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'school-billing-probe',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
