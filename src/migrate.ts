import { ConfigError, loadConfig } from './config.js';
import { startEmbeddedPostgres } from './infrastructure/postgres/embedded.js';
import { runMigrations } from './infrastructure/postgres/migrate.js';
import { createSequelize } from './infrastructure/postgres/sequelize.js';
import { join } from 'node:path';

/** `npm run migrate`: apply pending migrations (under the advisory lock) and exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: join(config.DATA_DIR, 'postgres') });
  const sequelize = createSequelize(config.DATABASE_URL ?? embedded!.url, { poolMax: 2 });
  try {
    const { applied } = await runMigrations(sequelize);
    process.stdout.write(applied.length === 0 ? 'schema up to date\n' : `applied: ${applied.join(', ')}\n`);
  } finally {
    await sequelize.close();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
