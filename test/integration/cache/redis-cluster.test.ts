/**
 * The Redis adapter on a private 3-master Redis Cluster (redis-server
 * --cluster-enabled yes on free ports, joined by redis-cli --cluster create,
 * stopped by pid): the whole port contract, then keys spread over every
 * master and found again by deleteMatching / countKeys on each of them. No
 * hash tags: every script and command touches one key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Cluster } from 'ioredis';
import { CacheUnavailableError } from '../../../src/application/ports/statement-cache-port.js';
import { RedisStatementCache } from '../../../src/infrastructure/cache/redis-statement-cache.js';
import { statementCacheContract } from '../../contracts/statement-cache.contract.js';
import { type RedisClusterServers, startRedisCluster } from '../../support/redis-server.js';

describe('RedisStatementCache on a 3-master Redis Cluster', function () {
  this.timeout(60_000);
  let cluster: RedisClusterServers;
  let raw: Cluster;

  before(async () => {
    cluster = await startRedisCluster(3);
    raw = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } });
    await new Promise<void>((resolve, reject) => {
      raw.once('ready', () => resolve());
      raw.once('error', reject);
    });
  });
  after(async () => {
    raw?.disconnect();
    await cluster?.stop();
  });

  const open = (keyPrefix: string) =>
    new RedisStatementCache({ connection: { clusterNodes: cluster.startupNodes }, keyPrefix, commandTimeoutMs: 1_000 });

  statementCacheContract(
    'RedisStatementCache (cluster)',
    async () => {
      const prefix = `c${randomBytes(4).toString('hex')}:`;
      const caches = [open(prefix)];
      const cache = caches[0] as RedisStatementCache;
      await cache.ready();
      return {
        cache,
        sibling: async () => {
          const other = open(`c${randomBytes(4).toString('hex')}:`);
          caches.push(other);
          await other.ready();
          return other;
        },
        ttlSeconds: async (key) => {
          const ttl = await raw.ttl(prefix + key);
          return ttl < 0 ? null : ttl;
        },
        advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        writeRaw: async (key, value) => {
          await raw.set(prefix + key, value, 'EX', 60);
        },
        close: async () => {
          for (const each of caches) {
            await each.deleteMatching('');
            await each.close();
          }
        },
      };
    },
    { rawValues: true },
  );

  it('spreads statements and leases over every master, and counts and deletes them on each', async () => {
    const cache = open('spread:');
    await cache.ready();
    const keys = Array.from({ length: 300 }, (_, i) => `statement:${i % 2 === 0 ? 'student' : 'school'}:${randomUUID()}`);
    const stamp = { epoch: 1n, version: 1n, asOfDate: '2026-06-15' };
    await Promise.all(keys.map((key) => cache.fill(key, stamp, JSON.stringify({ key }), 60)));
    const tokens = await Promise.all(keys.slice(0, 30).map((key) => cache.acquireLease(`${key}:lease`, 10_000)));
    expect(tokens.every((token) => token !== null)).to.equal(true);

    const perMaster = await Promise.all(raw.nodes('master').map((node) => node.dbsize()));
    console.log(`      keys per master: ${perMaster.join(' / ')}`);
    expect(perMaster).to.have.length(3);
    for (const count of perMaster) expect(count).to.be.greaterThan(30);

    for (const key of keys.slice(0, 50)) expect(await cache.get(key)).to.include({ payload: JSON.stringify({ key }) });
    expect(await cache.countKeys()).to.equal(300);
    const released = keys.slice(0, 10);
    await Promise.all(released.map((key, i) => cache.releaseLease(`${key}:lease`, tokens[i] ?? '')));
    expect(await cache.deleteMatching('statement:student:')).to.equal(150 + 10); // 150 entries, 10 of the 20 student leases left
    expect(await cache.countKeys()).to.equal(150);
    expect(await cache.deleteMatching('statement:')).to.equal(150 + 10);
    expect(await cache.countKeys()).to.equal(0);
    const left = await Promise.all(raw.nodes('master').map((node) => node.dbsize()));
    expect(left).to.deep.equal([0, 0, 0]);
    await cache.close();
  });

  it('a master down: its keys reject with CacheUnavailableError within the bound, the others still answer', async () => {
    const cache = new RedisStatementCache({
      connection: { clusterNodes: cluster.startupNodes },
      keyPrefix: 'down:',
      commandTimeoutMs: 100,
      breaker: { consecutiveFailures: 1_000 },
    });
    await cache.ready();
    const keys = Array.from({ length: 60 }, () => `statement:student:${randomUUID()}`);
    const stamp = { epoch: 1n, version: 1n, asOfDate: '2026-06-15' };
    await Promise.all(keys.map((key) => cache.fill(key, stamp, '{}', 60)));
    const victim = cluster.nodes[2];
    if (victim === undefined) throw new Error('no third node');
    victim.freeze();
    try {
      const outcomes = await Promise.all(
        keys.map(async (key) => {
          const started = performance.now();
          try {
            await cache.get(key);
            return { ok: true, ms: performance.now() - started };
          } catch (error) {
            expect(error).to.be.instanceOf(CacheUnavailableError);
            return { ok: false, ms: performance.now() - started };
          }
        }),
      );
      const failed = outcomes.filter((o) => !o.ok);
      const slowest = Math.max(...outcomes.map((o) => o.ms));
      console.log(`      one master frozen: ${failed.length}/${keys.length} gets unavailable, slowest ${slowest.toFixed(0)} ms`);
      expect(failed.length).to.be.greaterThan(0);
      expect(failed.length).to.be.lessThan(keys.length);
      expect(slowest).to.be.lessThan(3 * 100 + 50);
    } finally {
      victim.thaw();
    }
    await cache.deleteMatching('');
    await cache.close();
  });
});
