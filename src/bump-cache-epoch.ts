import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { startEmbeddedPostgres } from './infrastructure/postgres/embedded.js';
import { createSequelize } from './infrastructure/postgres/sequelize.js';
import { bumpCacheEpoch } from './infrastructure/postgres/statement-versions.js';

/**
 * `npm run cache:bump-epoch`: after restoring a database backup, statement
 * versions go back in time and could match entries cached before the
 * restore. Bumping the epoch stored in the database makes every cached
 * statement a miss on every replica at once; no cache access is needed.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: join(config.DATA_DIR, 'postgres') });
  const sequelize = createSequelize(config.DATABASE_URL ?? embedded!.url, { poolMax: 1 });
  try {
    const epoch = await bumpCacheEpoch(sequelize);
    process.stdout.write(`cache epoch is now ${epoch}: every cached statement will be recomputed on its next read\n`);
  } finally {
    await sequelize.close();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
