/**
 * SPEC §5, read-your-writes for everyone, checked end to end: two service
 * processes on one PostgreSQL database and one private redis-server, writers
 * through one replica, readers on both, Redis restarted, flushed and fed old
 * values during the run (test/support/stale-read-checker.ts).
 *
 * The same seeded run against the seed's naive policy (serve whatever is in
 * the key, unconditional fill, DEL after commit) must find violations — which
 * shows the checker can see them; the real policy must have none.
 * CHECKER_SEED=<n> replays a seed; CHECKER_MS sets each run's length.
 */
import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { type Replica, deadReplicas, startReplicas, stopReplicas } from '../support/replicas.js';
import { type CheckerResult, checkerDetails, checkerLine, runStaleReadChecker } from '../support/stale-read-checker.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const SEED = process.env.CHECKER_SEED ? Number(process.env.CHECKER_SEED) : randomInt(1, 2 ** 31);
const DURATION_MS = Number(process.env.CHECKER_MS ?? 5_000);

describe('stale-read checker: two replicas, one PostgreSQL, one Redis, faults', function () {
  this.timeout(120_000);
  let database: TestDatabase | undefined;
  let redis: RedisServer | undefined;
  const replicas: Record<'real' | 'naive', Replica[]> = { real: [], naive: [] };

  before(async () => {
    if (!Number.isSafeInteger(SEED)) throw new Error(`CHECKER_SEED must be an integer (got ${process.env.CHECKER_SEED})`);
    console.log(`      stale-read checker seed=${SEED} (replay with CHECKER_SEED=${SEED})`);
    database = await createTestDatabase();
    redis = await startRedisServer();
    // Each policy gets its own pair of processes and its own students; all four start at once.
    const [real, naive] = await Promise.allSettled([
      startReplicas(2, { databaseUrl: database.url, redisUrl: redis.url, policy: 'real' }),
      startReplicas(2, { databaseUrl: database.url, redisUrl: redis.url, policy: 'naive' }),
    ]);
    if (real.status === 'fulfilled') replicas.real = real.value;
    if (naive.status === 'fulfilled') replicas.naive = naive.value;
    if (real.status === 'rejected') throw real.reason;
    if (naive.status === 'rejected') throw naive.reason;
  });

  after(async () => {
    await stopReplicas([...replicas.real, ...replicas.naive]);
    await redis?.stop();
    await database?.drop();
  });

  function report(result: CheckerResult): void {
    console.log(`      ${checkerLine(result)}`);
    console.log(`      ${checkerDetails(result)}`);
    for (const example of result.examples) console.log(`        e.g. ${example}`);
  }

  function expectAFairRun(result: CheckerResult, policy: 'real' | 'naive'): void {
    expect(result.readErrors, 'failed reads').to.equal(0);
    expect(result.writeErrors, 'failed writes').to.equal(0);
    // Floors that keep the run meaningful on a loaded 2-core CI machine (typically ~300 writes, ~2,000 reads).
    expect(result.writes, 'writes').to.be.at.least(50);
    expect(result.reads, 'reads').to.be.at.least(300);
    expect(result.faultsByKind.restart, 'Redis restarts').to.be.at.least(1);
    expect(result.faultsByKind.flushall, 'FLUSHALLs').to.be.at.least(1);
    expect(result.faultsByKind['write-back'], 'old values written back').to.be.at.least(1);
    expect(deadReplicas(replicas[policy]), 'replicas that died').to.deep.equal([]);
  }

  it('the real policy: no read misses a write acknowledged before it started', async () => {
    const result = await runStaleReadChecker({ seed: SEED, policy: 'real', replicas: replicas.real, redis: redis!, durationMs: DURATION_MS });
    report(result);
    expectAFairRun(result, 'real');
    expect(result.counters.staleRejections, 'old entries met and refused').to.be.greaterThan(0);
    expect(result.violations, `violations (seed ${SEED})`).to.equal(0);
  });

  it('the naive policy (DEL after commit, unconditional fill), same seed: the checker finds stale reads', async () => {
    const result = await runStaleReadChecker({ seed: SEED, policy: 'naive', replicas: replicas.naive, redis: redis!, durationMs: DURATION_MS });
    report(result);
    expectAFairRun(result, 'naive');
    expect(result.violations, `violations (seed ${SEED})`).to.be.greaterThan(0);
  });
});
