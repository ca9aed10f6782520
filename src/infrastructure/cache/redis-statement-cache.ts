/**
 * The statement cache on Redis (ioredis), single node or Redis Cluster.
 *
 * Keys are `${keyPrefix}statement:student:{id}` and `${keyPrefix}statement:school:{id}`
 * (the caller passes the logical key, this adapter adds the prefix); values
 * are envelopes (envelope.ts). Every command touches exactly one key, or runs
 * on one node (SCAN), so nothing needs hash tags on a cluster.
 *
 * Failure model: a command timeout (ioredis `commandTimeout`, plus a guard
 * timer a little longer for paths ioredis does not time, e.g. cluster
 * redirections), no offline queue, bounded retries, reconnect with capped
 * exponential backoff, and a circuit breaker (cockatiel) around every
 * command: after `consecutiveFailures` failures in a row it opens and calls
 * fail at once without touching the network; after `halfOpenAfterMs` one
 * call is let through as a probe (concurrent callers wait for its outcome)
 * and closes or reopens the circuit. Every failure rejects with
 * CacheUnavailableError; connection errors go to `onError`, never to an
 * unhandled 'error' event.
 */
import { randomUUID } from 'node:crypto';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  circuitBreaker,
  handleAll,
} from 'cockatiel';
import { Cluster, Redis, type RedisKey, type Result } from 'ioredis';
import {
  type CacheStamp,
  CacheUnavailableError,
  type CachedEntry,
  type FillOutcome,
  type StatementCachePort,
} from '../../application/ports/statement-cache-port.js';
import { DEFAULT_COMPRESSION_THRESHOLD_BYTES, ENVELOPE_FORMAT_VERSION, decimalOf, packEnvelope, requireAsOfDate, unpackEnvelope } from './envelope.js';
import { luaScripts } from './lua-scripts.js';
import { isStatementKey, scanPattern } from './statement-keys.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** scripts/fill.lua */
    billingStatementFill(
      key: RedisKey,
      formatVersion: string,
      epoch: string,
      version: string,
      asOfDate: string,
      value: Buffer,
      ttlSeconds: string,
    ): Result<number, Context>;
    /** scripts/release-lease.lua */
    billingReleaseLease(key: RedisKey, token: string): Result<number, Context>;
  }
}

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
}

export type RedisConnection =
  /** One Redis server: `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  | { readonly url: string }
  /** Redis Cluster, from any of its nodes; credentials and TLS apply to every node. */
  | {
      readonly clusterNodes: readonly ClusterNode[];
      readonly username?: string;
      readonly password?: string;
      readonly tls?: boolean;
    };

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface RedisStatementCacheOptions {
  readonly connection: RedisConnection;
  /** CACHE_KEY_PREFIX, prepended to every key. Default empty. */
  readonly keyPrefix?: string;
  /** REDIS_COMMAND_TIMEOUT_MS: the most one command may take. Default 100. */
  readonly commandTimeoutMs?: number;
  /** Payloads above this many UTF-8 bytes are gzipped. Default DEFAULT_COMPRESSION_THRESHOLD_BYTES. */
  readonly compressAboveBytes?: number;
  readonly breaker?: {
    /** Consecutive failed commands that open the circuit. Default 5. */
    readonly consecutiveFailures?: number;
    /** Cool-down before the half-open probe. Default 1000 ms. */
    readonly halfOpenAfterMs?: number;
  };
  /** Reconnect delay: `baseMs * 2^(attempt-1)`, capped at `maxMs`. Defaults 50 and 1000. */
  readonly reconnect?: { readonly baseMs?: number; readonly maxMs?: number };
  /** ioredis `maxRetriesPerRequest` (a command in flight when the connection drops). Default 1. */
  readonly maxRetriesPerRequest?: number;
  /** Connection errors and corrupt entries, for logging; never throws. */
  readonly onError?: (error: Error, context: string) => void;
  readonly onBreakerStateChange?: (state: BreakerState) => void;
}

export const REDIS_CACHE_DEFAULTS = {
  commandTimeoutMs: 100,
  consecutiveFailures: 5,
  halfOpenAfterMs: 1_000,
  reconnectBaseMs: 50,
  reconnectMaxMs: 1_000,
  maxRetriesPerRequest: 1,
  /** Added to the command timeout for the guard timer around each command. */
  guardSlackMs: 25,
  scanCount: 1_000,
} as const;

/** REDIS_CLUSTER_NODES: `host:port,host:port` (IPv6 as `[::1]:7000`). */
export function parseClusterNodes(value: string): ClusterNode[] {
  const nodes = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(part);
      const port = Number(match?.[3]);
      const host = match?.[1] ?? match?.[2];
      if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65_535) {
        throw new RangeError(`cluster node ${JSON.stringify(part)} is not host:port`);
      }
      return { host, port };
    });
  if (nodes.length === 0) throw new RangeError('no cluster node given');
  return nodes;
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer (got ${value})`);
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RedisStatementCache implements StatementCachePort {
  private readonly client: Redis | Cluster;
  private readonly prefix: string;
  private readonly commandTimeoutMs: number;
  private readonly compressAboveBytes: number;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly guardMs: number;
  private readonly onError: (error: Error, context: string) => void;
  private closed = false;

  constructor(options: RedisStatementCacheOptions) {
    this.prefix = options.keyPrefix ?? '';
    this.commandTimeoutMs = positiveInteger(options.commandTimeoutMs ?? REDIS_CACHE_DEFAULTS.commandTimeoutMs, 'commandTimeoutMs');
    this.compressAboveBytes = options.compressAboveBytes ?? DEFAULT_COMPRESSION_THRESHOLD_BYTES;
    if (!(this.compressAboveBytes >= 0)) throw new RangeError(`compressAboveBytes must not be negative (got ${this.compressAboveBytes})`);
    const onError = options.onError;
    this.onError = (error, context) => {
      try {
        onError?.(error, context);
      } catch {
        // a logger failing must not take the cache down
      }
    };

    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: positiveInteger(options.breaker?.halfOpenAfterMs ?? REDIS_CACHE_DEFAULTS.halfOpenAfterMs, 'halfOpenAfterMs'),
      breaker: new ConsecutiveBreaker(
        positiveInteger(options.breaker?.consecutiveFailures ?? REDIS_CACHE_DEFAULTS.consecutiveFailures, 'consecutiveFailures'),
      ),
    });
    const onState = options.onBreakerStateChange;
    if (onState) this.breaker.onStateChange((state) => onState(STATES[state]));
    this.guardMs = this.commandTimeoutMs + REDIS_CACHE_DEFAULTS.guardSlackMs;

    const baseMs = options.reconnect?.baseMs ?? REDIS_CACHE_DEFAULTS.reconnectBaseMs;
    const maxMs = options.reconnect?.maxMs ?? REDIS_CACHE_DEFAULTS.reconnectMaxMs;
    const backoff = (attempt: number) => Math.min(baseMs * 2 ** Math.min(attempt - 1, 16), maxMs);
    const common = {
      commandTimeout: this.commandTimeoutMs,
      maxRetriesPerRequest: options.maxRetriesPerRequest ?? REDIS_CACHE_DEFAULTS.maxRetriesPerRequest,
      connectTimeout: Math.max(1_000, 10 * this.commandTimeoutMs),
    };
    const scripts = luaScripts();
    const connection = options.connection;
    if ('url' in connection) {
      this.client = new Redis(connection.url, { ...common, enableOfflineQueue: false, retryStrategy: backoff });
      this.client.on('error', (error: Error) => this.onError(error, 'connection'));
    } else {
      if (connection.clusterNodes.length === 0) throw new RangeError('clusterNodes is empty');
      this.client = new Cluster(
        connection.clusterNodes.map((node) => ({ host: node.host, port: node.port })),
        {
          enableOfflineQueue: false,
          clusterRetryStrategy: backoff,
          slotsRefreshTimeout: Math.max(1_000, 10 * this.commandTimeoutMs),
          redisOptions: {
            ...common,
            ...(connection.username === undefined ? {} : { username: connection.username }),
            ...(connection.password === undefined ? {} : { password: connection.password }),
            ...(connection.tls ? { tls: {} } : {}),
          },
        },
      );
      this.client.on('error', (error: Error) => this.onError(error, 'cluster'));
      this.client.on('node error', (error: Error, node: string) => this.onError(error, `cluster node ${node}`));
    }
    this.client.defineCommand('billingStatementFill', { numberOfKeys: 1, lua: scripts.fill });
    this.client.defineCommand('billingReleaseLease', { numberOfKeys: 1, lua: scripts.releaseLease });
  }

  /** closed | open | half-open | isolated (for metrics and tests). */
  get breakerState(): BreakerState {
    return STATES[this.breaker.state];
  }

  get keyPrefix(): string {
    return this.prefix;
  }

  /**
   * Resolves once connected (cluster: slots known); rejects with
   * CacheUnavailableError after `timeoutMs`. Connection errors meanwhile do
   * not end the wait (the client keeps reconnecting). Optional: until then
   * commands fail fast.
   */
  async ready(timeoutMs = 5_000): Promise<void> {
    const client = this.client;
    if (client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(new CacheUnavailableError(`Redis not ready within ${timeoutMs} ms (${client.status})`));
      }, timeoutMs);
      client.once('ready', onReady);
    });
  }

  async get(key: string): Promise<CachedEntry | null> {
    const value = await this.run('GET', () => this.client.getBuffer(this.prefix + key));
    if (value === null) return null;
    try {
      const entry = await unpackEnvelope(value);
      return entry === null ? null : { ...entry, storedBytes: value.length };
    } catch (error) {
      // Our header on a body that does not decode: drop it so the next fill stores afresh.
      this.onError(new Error(`corrupt statement cache entry ${this.prefix + key}: ${messageOf(error)}`, { cause: error }), 'entry');
      await this.delete([key]).catch(() => undefined);
      return null;
    }
  }

  async fill(key: string, stamp: CacheStamp, payload: string, ttlSeconds: number): Promise<{ outcome: FillOutcome; storedBytes: number }> {
    positiveInteger(ttlSeconds, 'ttlSeconds');
    const epoch = decimalOf(stamp.epoch, 'epoch');
    const version = decimalOf(stamp.version, 'version');
    const asOfDate = requireAsOfDate(stamp.asOfDate);
    const value = await packEnvelope(stamp, payload, this.compressAboveBytes);
    const stored = await this.run('fill', () =>
      this.client.billingStatementFill(
        this.prefix + key,
        String(ENVELOPE_FORMAT_VERSION),
        epoch,
        version,
        asOfDate,
        value,
        String(ttlSeconds),
      ),
    );
    return { outcome: stored === 1 ? 'stored' : 'kept', storedBytes: value.length };
  }

  async delete(keys: readonly string[]): Promise<void> {
    await this.unlink(keys.map((key) => this.prefix + key));
  }

  async deleteMatching(keyPrefix: string): Promise<number> {
    let deleted = 0;
    await this.scanMasters(scanPattern(this.prefix, keyPrefix), async (keys) => {
      deleted += await this.unlink(keys);
    });
    return deleted;
  }

  async countKeys(): Promise<number> {
    const seen = new Set<string>();
    await this.scanMasters(scanPattern(this.prefix, 'statement:'), async (keys) => {
      for (const key of keys) if (isStatementKey(key.slice(this.prefix.length))) seen.add(key);
    });
    return seen.size;
  }

  async acquireLease(name: string, ttlMs: number): Promise<string | null> {
    positiveInteger(ttlMs, 'ttlMs');
    const token = randomUUID();
    const answer = await this.run('SET NX', () => this.client.set(this.prefix + name, token, 'PX', ttlMs, 'NX'));
    return answer === 'OK' ? token : null;
  }

  async releaseLease(name: string, token: string): Promise<void> {
    await this.run('release lease', () => this.client.billingReleaseLease(this.prefix + name, token));
  }

  /** Quits (or, if Redis does not answer in time, drops) the connection; later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const limit = Math.max(500, 5 * this.commandTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.quit(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, limit);
        }),
      ]);
    } catch {
      // not connected: nothing to say goodbye to
    } finally {
      clearTimeout(timer);
      this.client.disconnect();
    }
  }

  /** Every command goes through here: closed check, breaker, guard timeout, error translation. */
  private async run<T>(command: string, send: () => Promise<T>): Promise<T> {
    if (this.closed) throw new CacheUnavailableError(`Redis statement cache is closed (${command} not sent)`);
    try {
      return await this.breaker.execute(() => this.guarded(command, send()));
    } catch (error) {
      if (error instanceof CacheUnavailableError) throw error;
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new CacheUnavailableError(`Redis circuit open: ${command} not sent`, { cause: error });
      }
      throw new CacheUnavailableError(`Redis ${command} failed: ${messageOf(error)}`, { cause: error });
    }
  }

  /**
   * ioredis times each command out itself (`commandTimeout`); this guard,
   * a little longer, bounds what it does not time (cluster redirections and
   * slot refreshes, node connections with an offline queue).
   */
  private guarded<T>(command: string, sent: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CacheUnavailableError(`Redis ${command} timed out after ${this.commandTimeoutMs} ms`)),
        this.guardMs,
      );
    });
    return Promise.race([sent, expired]).finally(() => clearTimeout(timer));
  }

  /** UNLINK of whole keys (prefix included); returns how many existed. */
  private async unlink(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const client = this.client;
    if (client instanceof Cluster) {
      // One key per command: keys of one batch live in many slots.
      const counts = await Promise.all(keys.map((key) => this.run('UNLINK', () => client.unlink(key))));
      return counts.reduce((sum, n) => sum + n, 0);
    }
    return this.run('UNLINK', () => client.unlink(...keys));
  }

  /** SCAN MATCH pattern COUNT 1000 on every master; `visit` gets each non-empty batch. Never KEYS. */
  private async scanMasters(pattern: string, visit: (keys: string[]) => Promise<void>): Promise<void> {
    const client = this.client;
    let masters: Redis[];
    if (client instanceof Cluster) {
      if (this.closed) throw new CacheUnavailableError('Redis statement cache is closed (SCAN not sent)');
      if (client.status !== 'ready') throw new CacheUnavailableError(`Redis Cluster not ready (${client.status}): SCAN not sent`);
      masters = client.nodes('master');
      if (masters.length === 0) throw new CacheUnavailableError('Redis Cluster has no known master: SCAN not sent');
    } else {
      masters = [client];
    }
    for (const node of masters) {
      let cursor = '0';
      do {
        const [next, keys] = await this.run('SCAN', () => node.scan(cursor, 'MATCH', pattern, 'COUNT', REDIS_CACHE_DEFAULTS.scanCount));
        cursor = next;
        if (keys.length > 0) await visit(keys);
      } while (cursor !== '0');
    }
  }
}
