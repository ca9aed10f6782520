/**
 * Redis stopped, restarted, paused or frozen under the adapter, on a private
 * redis-server (never the shared one): every call rejects with
 * CacheUnavailableError within a coarse bound (3 x the command timeout plus
 * slack), the breaker opens and then fails calls without touching the
 * network, a half-open probe after the cool-down closes it once Redis is
 * back, and nothing ends in an unhandled rejection or an 'error' event crash.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { CacheUnavailableError, type StatementCachePort } from '../../../src/application/ports/statement-cache-port.js';
import { type BreakerState, RedisStatementCache } from '../../../src/infrastructure/cache/redis-statement-cache.js';
import { type RedisServer, freePort, startRedisServer } from '../../support/redis-server.js';

const COMMAND_TIMEOUT_MS = 100;
const BOUND_MS = 3 * COMMAND_TIMEOUT_MS + 50;
const FAILURES_TO_OPEN = 3;
const HALF_OPEN_AFTER_MS = 400;
const stamp = { epoch: 1n, version: 1n, asOfDate: '2026-06-15' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Timed {
  readonly ms: number;
  readonly error: unknown;
}

async function timed(call: () => Promise<unknown>): Promise<Timed> {
  const started = performance.now();
  try {
    await call();
    return { ms: performance.now() - started, error: null };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

function summary(samples: readonly Timed[]): string {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return `n=${sorted.length} p50=${at(0.5).toFixed(1)} ms p99=${at(0.99).toFixed(1)} ms max=${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms`;
}

/** Every kind of call the application makes, on fresh keys. */
function everyOperation(cache: StatementCachePort): (() => Promise<unknown>)[] {
  const key = `statement:student:${randomUUID()}`;
  return [
    () => cache.get(key),
    () => cache.fill(key, stamp, '{}', 60),
    () => cache.delete([key]),
    () => cache.acquireLease(`${key}:lease`, 1_000),
    () => cache.releaseLease(`${key}:lease`, 'token'),
    () => cache.countKeys(),
    () => cache.deleteMatching('statement:student:'),
  ];
}

/** Counts commands the adapter hands to its ioredis client (the network). */
function commandCounter(cache: RedisStatementCache): { readonly sent: number; restore(): void } {
  const client: unknown = Reflect.get(cache, 'client');
  if (!(client instanceof Redis)) throw new Error('expected a single-node client');
  const original = client.sendCommand.bind(client);
  let sent = 0;
  client.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    sent += 1;
    return original(...args);
  };
  return {
    get sent() {
      return sent;
    },
    restore() {
      client.sendCommand = original;
    },
  };
}

describe('Redis statement cache under faults', function () {
  this.timeout(60_000);
  let server: RedisServer;
  let cache: RedisStatementCache;
  const states: BreakerState[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await startRedisServer();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.stop();
  });

  beforeEach(async () => {
    if (!server.running) await server.restart();
    states.length = 0;
    cache = new RedisStatementCache({
      connection: { url: server.url },
      keyPrefix: 'faults:',
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      breaker: { consecutiveFailures: FAILURES_TO_OPEN, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
      reconnect: { baseMs: 20, maxMs: 200 },
      onBreakerStateChange: (state) => states.push(state),
      onError: () => undefined,
    });
    await cache.ready();
  });
  afterEach(async () => {
    await cache.close();
    await sleep(50);
    expect(unhandled, 'unhandled rejections').to.deep.equal([]);
  });

  async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(20);
    }
  }

  it('Redis stopped: every operation rejects with CacheUnavailableError within the bound; the breaker opens and fails fast; a probe closes it after a restart', async () => {
    const key = 'statement:student:3f1c2b4e-8d7a-4c1e-9b2f-0a1b2c3d4e5f';
    await cache.fill(key, stamp, '"before"', 60);
    expect(await cache.get(key)).to.include({ payload: '"before"' });

    await server.stop();
    const failing: Timed[] = [];
    for (const call of everyOperation(cache)) failing.push(await timed(call));
    for (const outcome of failing) expect(outcome.error).to.be.instanceOf(CacheUnavailableError);
    console.log(`      stopped, until the breaker opens: ${summary(failing)}`);
    for (const outcome of failing) expect(outcome.ms).to.be.lessThan(BOUND_MS);
    expect(cache.breakerState).to.equal('open');

    const counter = commandCounter(cache);
    const fast: Timed[] = [];
    for (let i = 0; i < 50; i += 1) for (const call of everyOperation(cache)) fast.push(await timed(call));
    counter.restore();
    console.log(`      breaker open: ${summary(fast)}, commands sent: ${counter.sent}`);
    for (const outcome of fast) {
      expect(outcome.error).to.be.instanceOf(CacheUnavailableError);
      expect((outcome.error as Error).message).to.match(/circuit open/);
    }
    expect(counter.sent).to.equal(0);
    expect(Math.max(...fast.map((o) => o.ms))).to.be.lessThan(20);

    await server.restart();
    await cache.ready(5_000);
    expect(cache.breakerState).to.equal('open');
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const probe = await timed(() => cache.get(key));
    expect(probe.error).to.equal(null);
    expect(cache.breakerState).to.equal('closed');
    expect(states).to.include.members(['open', 'half-open', 'closed']);
    expect(await cache.get(key)).to.equal(null); // a new, empty server: nothing old comes back
    expect((await cache.fill(key, stamp, '"after"', 60)).outcome).to.equal('stored');
  });

  it('Redis stopped under concurrent load: every call settles within the bound', async () => {
    await server.stop();
    const calls = Array.from({ length: 200 }, (_, i) => everyOperation(cache)[i % 7] ?? (() => cache.countKeys()));
    const outcomes = await Promise.all(calls.map((call) => timed(call)));
    console.log(`      stopped, 200 concurrent calls: ${summary(outcomes)}`);
    for (const outcome of outcomes) expect(outcome.error).to.be.instanceOf(CacheUnavailableError);
    expect(Math.max(...outcomes.map((o) => o.ms))).to.be.lessThan(BOUND_MS);
  });

  it('Redis killed with calls in flight: each of them settles within the bound', async () => {
    const calls = Array.from({ length: 300 }, (_, i) => everyOperation(cache)[i % 7] ?? (() => cache.countKeys()));
    const pending = calls.map((call) => timed(call));
    await server.stop('SIGKILL');
    const outcomes = await Promise.all(pending);
    const failed = outcomes.filter((o) => o.error !== null);
    console.log(`      SIGKILL with 300 calls in flight: ${failed.length} failed; ${summary(outcomes)}`);
    for (const outcome of failed) expect(outcome.error).to.be.instanceOf(CacheUnavailableError);
    expect(Math.max(...outcomes.map((o) => o.ms))).to.be.lessThan(BOUND_MS);
  });

  it('a failed half-open probe opens the circuit again for another cool-down', async () => {
    await server.stop();
    for (const call of everyOperation(cache).slice(0, FAILURES_TO_OPEN)) await timed(call);
    expect(cache.breakerState).to.equal('open');
    await sleep(HALF_OPEN_AFTER_MS + 50);
    const probe = await timed(() => cache.get('statement:student:x'));
    expect(probe.error).to.be.instanceOf(CacheUnavailableError);
    expect(probe.ms).to.be.lessThan(BOUND_MS);
    expect(cache.breakerState).to.equal('open');
    const next = await timed(() => cache.get('statement:student:x'));
    expect((next.error as Error).message).to.match(/circuit open/);
  });

  it('CLIENT PAUSE: commands time out within the bound, and work again once the pause ends', async () => {
    const key = 'statement:school:7a0e8c9d-1b2c-4d3e-8f4a-5b6c7d8e9f00';
    await cache.fill(key, stamp, '"paused"', 60);
    const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      await admin.call('CLIENT', 'PAUSE', '800', 'ALL'); // ends by itself (UNPAUSE would wait behind the pause)
      const paused: Timed[] = [];
      for (let i = 0; i < FAILURES_TO_OPEN; i += 1) paused.push(await timed(() => cache.get(key)));
      console.log(`      CLIENT PAUSE, until the breaker opens: ${summary(paused)}`);
      for (const outcome of paused) {
        expect(outcome.error).to.be.instanceOf(CacheUnavailableError);
        expect(outcome.ms).to.be.within(COMMAND_TIMEOUT_MS - 5, BOUND_MS);
      }
      expect(cache.breakerState).to.equal('open');
      const fast = await timed(() => cache.fill(key, stamp, '"x"', 60));
      expect(fast.ms).to.be.lessThan(20);
    } finally {
      admin.disconnect();
    }
    await sleep(HALF_OPEN_AFTER_MS + 50);
    await waitUntil(async () => (await timed(() => cache.get(key))).error === null, 5_000);
    expect(cache.breakerState).to.equal('closed');
    expect(await cache.get(key)).to.include({ payload: '"paused"' });
  });

  it('SIGSTOP: commands time out within the bound; after SIGCONT the half-open probe closes the breaker', async () => {
    const key = 'statement:student:0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';
    await cache.fill(key, stamp, '"frozen"', 60);
    server.freeze();
    let concurrent: Timed[];
    try {
      concurrent = await Promise.all(Array.from({ length: 50 }, () => timed(() => cache.get(key))));
      const later: Timed[] = [];
      for (let i = 0; i < 20; i += 1) later.push(await timed(() => cache.acquireLease(`${key}:lease`, 1_000)));
      console.log(`      SIGSTOP, 50 concurrent gets: ${summary(concurrent)}; then 20 sequential leases: ${summary(later)}`);
      for (const outcome of [...concurrent, ...later]) expect(outcome.error).to.be.instanceOf(CacheUnavailableError);
      expect(Math.max(...concurrent.map((o) => o.ms), ...later.map((o) => o.ms))).to.be.lessThan(BOUND_MS);
      expect(cache.breakerState).to.equal('open');
    } finally {
      server.thaw();
    }
    await sleep(HALF_OPEN_AFTER_MS + 50);
    await waitUntil(async () => (await timed(() => cache.get(key))).error === null, 5_000);
    expect(cache.breakerState).to.equal('closed');
    expect(await cache.get(key)).to.include({ payload: '"frozen"' });
  });

  it('a server that comes up late: ready() waits through connection errors, then commands work', async () => {
    const port = await freePort();
    const late = new RedisStatementCache({
      connection: { url: `redis://127.0.0.1:${port}` },
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      reconnect: { baseMs: 20, maxMs: 100 },
      onError: () => undefined,
    });
    let lateServer: RedisServer | undefined;
    try {
      const early = await timed(() => late.ready(300));
      expect(early.error).to.be.instanceOf(CacheUnavailableError);
      expect(early.ms).to.be.within(290, 400);
      const waiting = late.ready(5_000);
      lateServer = await startRedisServer({ port });
      await waiting;
      expect(await late.get('statement:student:x')).to.equal(null);
    } finally {
      await late.close();
      await lateServer?.stop();
    }
  });

  it('no server at all: calls reject at once and close() returns', async () => {
    const port = await freePort();
    const reported: string[] = [];
    const orphan = new RedisStatementCache({
      connection: { url: `redis://127.0.0.1:${port}` },
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      onError: (error, context) => reported.push(`${context}: ${error.message}`),
    });
    const outcomes: Timed[] = [];
    for (const call of everyOperation(orphan)) outcomes.push(await timed(call));
    console.log(`      nothing listening: ${summary(outcomes)}`);
    for (const outcome of outcomes) expect(outcome.error).to.be.instanceOf(CacheUnavailableError);
    expect(Math.max(...outcomes.map((o) => o.ms))).to.be.lessThan(BOUND_MS);
    await waitUntil(async () => reported.length > 0, 5_000);
    expect(reported[0]).to.match(/^connection: .*ECONNREFUSED/);
    const closing = await timed(() => orphan.close());
    expect(closing.ms).to.be.lessThan(1_000);
    const afterClose = await timed(() => orphan.get('statement:student:x'));
    expect((afterClose.error as Error).message).to.match(/closed/);
  });
});
