/**
 * Private redis-server processes for tests that stop, pause, flush or
 * restart a server (never the shared one): a free port, no persistence, a
 * child process stopped by its pid, and killed on process exit whatever
 * happens, so no test run leaves one behind. Also a 3-master Redis Cluster
 * built from such servers with `redis-cli --cluster create`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port nobody listens on now (and, for cluster nodes, whose bus port +10000 is free too). */
export async function freePort(options: { clusterBus?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await listenOnce(0);
    if (!options.clusterBus) return port;
    if (port + 10_000 > 65_535) continue;
    try {
      await listenOnce(port + 10_000);
      return port;
    } catch {
      // bus port taken: try another
    }
  }
  throw new Error('no free port found');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(chosen));
    });
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** The pid of the running process (changes on restart). */
  readonly pid: number;
  readonly running: boolean;
  /** SIGTERM (or `signal`, e.g. SIGKILL for a crash), SIGKILL after 2 s; resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts again on the same port (an empty server: no persistence). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server holds connections but answers nothing. */
  freeze(): void;
  thaw(): void;
  /** redis-cli against this server; returns stdout. */
  cli(...args: string[]): Promise<string>;
}

export interface RedisServerOptions {
  readonly port?: number;
  readonly args?: readonly string[];
  /** Working directory (cluster config files). */
  readonly dir?: string;
}

async function spawnRedis(port: number, args: readonly string[], dir: string | undefined): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...args],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server on ${port} did not start in 10 s:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`redis-server on ${port} exited (${code}):\n${output}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.stdout?.resume();
      child.stderr?.resume();
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const fail = (error: Error) => {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const args = options.args ?? [];
  let child: ChildProcess | null = await spawnRedis(port, args, options.dir);
  let frozen = false;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? -1;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const current = child;
      if (current === null) return;
      child = null;
      if (frozen) {
        current.kill('SIGCONT');
        frozen = false;
      }
      const gone = exited(current);
      current.kill(signal);
      const timer = setTimeout(() => current.kill('SIGKILL'), 2_000);
      await gone;
      clearTimeout(timer);
    },
    async restart() {
      await server.stop();
      child = await spawnRedis(port, args, options.dir);
    },
    freeze() {
      if (child === null) throw new Error('redis-server is not running');
      child.kill('SIGSTOP');
      frozen = true;
    },
    thaw() {
      if (child === null) throw new Error('redis-server is not running');
      child.kill('SIGCONT');
      frozen = false;
    },
    async cli(...cliArgs: string[]) {
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...cliArgs], { timeout: 10_000 });
      return stdout;
    },
  };
  return server;
}

export interface RedisClusterServers {
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every node, for the ioredis Cluster client. */
  readonly startupNodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

/** `masters` redis-servers in cluster mode, joined with `redis-cli --cluster create`, waited until cluster_state:ok. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterServers> {
  const dir = mkdtempSync(join(tmpdir(), 'billing-redis-cluster-'));
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      const port = await freePort({ clusterBus: true });
      nodes.push(
        await startRedisServer({
          port,
          dir,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000'],
        }),
      );
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      while (!(await node.cli('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`cluster node ${node.port} never reached cluster_state:ok`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, startupNodes: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })), stop };
}
