import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { runMigrations } from '../src/infrastructure/postgres/migrate.js';
import { createSequelize } from '../src/infrastructure/postgres/sequelize.js';
import { keysUnder } from '../test/support/redis-keys.js';

/** The server the bench creates its databases on, and the Redis it uses: BENCH_…, else TEST_…, else local defaults. */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database with the service's schema, next to the one `adminUrl` names. */
export async function createBenchDatabase(adminUrl: string, label: string): Promise<BenchDatabase> {
  const name = `billing_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const drop = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
  try {
    const sequelize = createSequelize(url, { poolMax: 2 });
    await runMigrations(sequelize);
    await sequelize.close();
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, drop };
}

/** Unlinks every key under `prefix`. */
export async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.unlink(...keys);
}
