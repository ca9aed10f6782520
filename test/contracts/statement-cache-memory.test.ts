import { MemoryStatementCache } from '../../src/infrastructure/cache/memory-statement-cache.js';
import { statementCacheContract } from './statement-cache.contract.js';

statementCacheContract(
  'MemoryStatementCache',
  async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const clock = () => now;
    const cache = new MemoryStatementCache({ now: clock });
    return {
      cache,
      sibling: async () => new MemoryStatementCache({ now: clock }),
      ttlSeconds: async (key) => {
        const ms = cache.remainingTtlMs(key);
        return ms === null ? null : Math.ceil(ms / 1000);
      },
      advance: async (ms) => {
        now += ms;
      },
      close: async () => undefined,
    };
  },
  { rawValues: false },
);
