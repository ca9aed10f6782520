/**
 * A private PostgreSQL server for tests that stop, crash or restart the
 * database (never the shared one at TEST_DATABASE_URL): the system's
 * PostgreSQL binaries run as the postgres user (initdb and pg_ctl refuse
 * root) on a free port, with a cluster in a temporary directory, trust
 * authentication and fsync off (the machine does not crash, only the
 * server: what it wrote survives in the OS; synchronous_commit stays on, so
 * an acknowledged commit survives an immediate stop). Stopped by `pg_ctl` or, at process exit
 * whatever happened, by SIGQUIT to the postmaster's pid (an immediate
 * shutdown), so no run leaves one behind.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

/** The newest PostgreSQL installed by Debian's packages (TEST_PG_BIN overrides). */
function binDir(): string {
  if (process.env.TEST_PG_BIN) return process.env.TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL binaries under ${root} (install postgresql, or set TEST_PG_BIN)`);
  return join(root, versions[0]!, 'bin');
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL tool, as the postgres user when we are root. */
function pgTool(tool: string, args: readonly string[], timeoutMs = 30_000) {
  const path = join(binDir(), tool);
  return asRoot ? run('runuser', ['-u', 'postgres', '--', path, ...args], { timeout: timeoutMs }) : run(path, [...args], { timeout: timeoutMs });
}

const live = new Map<string, () => void>();
process.on('exit', () => {
  for (const kill of live.values()) kill();
});

export interface PostgresServer {
  readonly port: number;
  /** Admin URL of the `postgres` database. */
  readonly url: string;
  /** URL of another database on this server. */
  urlOf(database: string): string;
  readonly running: boolean;
  /** The postmaster's pid, or null when stopped. */
  pid(): number | null;
  /** `pg_ctl stop -m <mode>` (immediate: like a crash, no checkpoint, clients cut off). */
  stop(mode?: 'immediate' | 'fast' | 'smart'): Promise<void>;
  /** `pg_ctl start` on the same port and data. */
  start(): Promise<void>;
  /** Stops the server (immediate) and removes its directory. */
  destroy(): Promise<void>;
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'billing-pg-'));
  // The postgres user must reach the directory (mkdtemp makes it 0700 and root's).
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  let running = false;
  const pidOf = (): number | null => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return null;
    }
  };
  const killNow = () => {
    const pid = pidOf();
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
  };
  const remove = () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  };
  live.set(dir, () => {
    killNow();
    // Give the postmaster a moment to quit before its files go.
    try {
      execFileSync('sleep', ['0.2']);
    } catch {
      // ignore
    }
    remove();
  });
  const start = async () => {
    await pgTool('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`,
      'start',
    ]);
    running = true;
  };
  try {
    await pgTool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await start();
  } catch (error) {
    killNow();
    remove();
    live.delete(dir);
    throw error;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const server: PostgresServer = {
    port,
    url,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    get running() {
      return running;
    },
    pid: () => (running ? pidOf() : null),
    async stop(mode = 'immediate') {
      if (!running) return;
      await pgTool('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      running = false;
    },
    start,
    async destroy() {
      try {
        if (running) await server.stop('immediate');
      } catch {
        killNow();
      }
      running = false;
      live.delete(dir);
      remove();
    },
  };
  return server;
}
