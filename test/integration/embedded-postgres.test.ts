import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/infrastructure/postgres/embedded.js';
import { runMigrations } from '../../src/infrastructure/postgres/migrate.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { createSequelize } from '../../src/infrastructure/postgres/sequelize.js';
import { aSchool } from '../contracts/fixtures.js';
import { MIGRATIONS } from '../../src/infrastructure/postgres/migrations/index.js';

const ALL_MIGRATIONS = MIGRATIONS.map((migration) => migration.name);

describe('embedded PostgreSQL', function () {
  this.timeout(60_000);
  let base: string;
  const started: EmbeddedPostgres[] = [];

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'billing-embedded-'));
    // As root the server runs as the postgres user, which must be able to enter the directory.
    await chmod(base, 0o755);
  });

  after(async () => {
    await Promise.all(started.map((server) => server.stop()));
    await rm(base, { recursive: true, force: true });
  });

  it('starts on a free port, migrates, answers, stops, and keeps its data across restarts', async () => {
    const dataDir = join(base, 'data');
    const startedAt = Date.now();
    const first = await startEmbeddedPostgres({ dataDir });
    started.push(first);
    const firstStartMs = Date.now() - startedAt;
    expect(first.url).to.match(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/billing$/);

    const school = aSchool();
    let sequelize = createSequelize(first.url);
    try {
      expect((await runMigrations(sequelize)).applied).to.deep.equal(ALL_MIGRATIONS);
      await sequelizeRepositories(sequelize).schools.insert(school);
      const [row] = await sequelize.query<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`, {
        type: QueryTypes.SELECT,
      });
      expect(row!.version).to.be.at.least(150000);
    } finally {
      await sequelize.close();
    }
    await first.stop();
    await first.stop(); // idempotent
    sequelize = createSequelize(first.url, { connectTimeoutMs: 1_000 });
    try {
      await sequelize.authenticate().then(
        () => expect.fail('the server should be stopped'),
        () => undefined,
      );
    } finally {
      await sequelize.close();
    }

    const restartedAt = Date.now();
    const second = await startEmbeddedPostgres({ dataDir });
    started.push(second);
    const restartMs = Date.now() - restartedAt;
    sequelize = createSequelize(second.url);
    try {
      expect((await runMigrations(sequelize)).applied).to.deep.equal([]);
      expect(await sequelizeRepositories(sequelize).schools.findById(school.id)).to.deep.equal(school);
    } finally {
      await sequelize.close();
      await second.stop();
    }
    // Measured here: about 0.6 s for initdb + start, well under 0.1 s to restart.
    console.log(`      embedded PostgreSQL: first start ${firstStartMs} ms, restart ${restartMs} ms`);
  });

  it('as root, makes a private data directory reachable for the postgres user, and says so', async () => {
    const closed = await mkdtemp(join(tmpdir(), 'billing-closed-'));
    const warnings: string[] = [];
    try {
      await chmod(closed, 0o700);
      const server = await startEmbeddedPostgres({ dataDir: join(closed, 'data'), onWarning: (message) => warnings.push(message) });
      await server.stop();
      if (process.getuid?.() === 0) {
        expect(warnings.join('\n')).to.include(`granted search permission (o+x) on ${closed}`);
        expect((await stat(closed)).mode & 0o777).to.equal(0o701);
      } else {
        // Not root: the server runs as this user, who owns the directory.
        expect(warnings).to.deep.equal([]);
      }
    } finally {
      await rm(closed, { recursive: true, force: true });
    }
  });
  it('is never stopped under a running service by another process, but a killed one\'s server is cleaned up', async () => {
    const dataDir = join(base, 'owned');
    // Another process (a service) owns the cluster and keeps it running.
    const owner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { startEmbeddedPostgres } = await import('./src/infrastructure/postgres/embedded.ts');
         const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });
         process.stdout.write('ready ' + server.port + '\\n');
         setInterval(() => undefined, 60_000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [chunk] = (await once(owner.stdout!, 'data')) as [Buffer];
      expect(chunk.toString()).to.match(/^ready \d+/);

      const refused = await startEmbeddedPostgres({ dataDir }).catch((error: Error) => error);
      expect(refused).to.be.instanceOf(Error);
      expect((refused as Error).message).to.include(`in use by process ${owner.pid}`);

      // Killed without a chance to stop its server: the next start shuts the orphan down and takes over.
      owner.kill('SIGKILL');
      await once(owner, 'exit');
      const next = await startEmbeddedPostgres({ dataDir });
      started.push(next);
      const sequelize = createSequelize(next.url);
      expect(await sequelize.query('SELECT 1 AS one', { type: QueryTypes.SELECT })).to.deep.equal([{ one: 1 }]);
      await sequelize.close();
    } finally {
      if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
    }
  });
});
