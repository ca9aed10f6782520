import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisStatementCache } from '../../src/infrastructure/cache/redis-statement-cache.js';
import { keysUnder } from '../support/redis-keys.js';
import { statementCacheContract } from './statement-cache.contract.js';

/** The shared Redis: read/write only, every test under its own random prefix, deleted afterwards. */
const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Generous: the shared server may be busy with other suites; the timeout itself is tested on a private server. */
const COMMAND_TIMEOUT_MS = 2_000;

describe('RedisStatementCache on the shared Redis', () => {
  let raw: Redis;
  before(async () => {
    raw = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    await raw.connect();
  });
  after(async () => {
    await raw.quit();
  });

  statementCacheContract(
    'RedisStatementCache (single node)',
    async () => {
      const prefixes = [`test:cache:${randomBytes(6).toString('hex')}:`];
      const open = (keyPrefix: string) =>
        new RedisStatementCache({ connection: { url: TEST_REDIS_URL }, keyPrefix, commandTimeoutMs: COMMAND_TIMEOUT_MS });
      const cache = open(prefixes[0] ?? '');
      const caches = [cache];
      await cache.ready();
      return {
        cache,
        sibling: async () => {
          const prefix = `test:cache:${randomBytes(6).toString('hex')}:`;
          prefixes.push(prefix);
          const other = open(prefix);
          caches.push(other);
          await other.ready();
          return other;
        },
        ttlSeconds: async (key) => {
          const ttl = await raw.ttl(`${prefixes[0]}${key}`);
          return ttl < 0 ? null : ttl;
        },
        advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        writeRaw: async (key, value) => {
          await raw.set(`${prefixes[0]}${key}`, value, 'EX', 60);
        },
        close: async () => {
          for (const [index, each] of caches.entries()) {
            await each.deleteMatching('');
            await each.close();
            expect(await keysUnder(raw, prefixes[index] ?? ''), 'keys left behind').to.deep.equal([]);
          }
        },
      };
    },
    { rawValues: true },
  );
});
