/**
 * What only the in-process cache has: bounds on entries and bytes with
 * least-recently-used eviction (the port contract runs in
 * test/contracts/statement-cache-memory.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { MemoryStatementCache } from '../../../src/infrastructure/cache/memory-statement-cache.js';

const stamp = { epoch: 1n, version: 1n, asOfDate: '2026-06-15' };
const key = () => `statement:student:${randomUUID()}`;

describe('MemoryStatementCache bounds', () => {
  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const cache = new MemoryStatementCache({ maxEntries: 3 });
    const [a, b, c, d] = [key(), key(), key(), key()];
    for (const k of [a, b, c]) await cache.fill(k, stamp, '{}', 60);
    await cache.get(a); // a is now the most recently used; b the least
    await cache.fill(d, stamp, '{}', 60);
    expect(await cache.get(b)).to.equal(null);
    for (const k of [a, c, d]) expect(await cache.get(k)).to.not.equal(null);
    expect(cache.size.entries).to.equal(3);
    expect(await cache.countKeys()).to.equal(3);
  });

  it('keeps at most maxBytes of payload (UTF-8), evicting the least recently used', async () => {
    const cache = new MemoryStatementCache({ maxBytes: 100 });
    const [a, b, c] = [key(), key(), key()];
    await cache.fill(a, stamp, 'x'.repeat(40), 60);
    await cache.fill(b, stamp, 'é'.repeat(20), 60); // 40 bytes
    await cache.fill(c, stamp, 'y'.repeat(40), 60);
    expect(await cache.get(a)).to.equal(null);
    expect(cache.size.bytes).to.equal(80);
    expect(await cache.get(b)).to.include({ storedBytes: 40 });
  });

  it('a payload larger than the whole cache wins the compare-and-set but is not kept, and drops the older entry', async () => {
    const cache = new MemoryStatementCache({ maxBytes: 10 });
    const k = key();
    await cache.fill(k, stamp, '"old"', 60);
    const { outcome } = await cache.fill(k, { ...stamp, version: 2n }, 'z'.repeat(11), 60);
    expect(outcome).to.equal('stored');
    expect(await cache.get(k)).to.equal(null);
    expect(cache.size).to.deep.equal({ entries: 0, bytes: 0 });
  });

  it('accounts bytes exactly through overwrites, deletes and expiry', async () => {
    let now = 0;
    const cache = new MemoryStatementCache({ now: () => now });
    const [a, b] = [key(), key()];
    await cache.fill(a, stamp, 'aaaa', 10);
    await cache.fill(a, { ...stamp, version: 2n }, 'aaaaaa', 10);
    await cache.fill(b, stamp, 'bb', 1);
    expect(cache.size).to.deep.equal({ entries: 2, bytes: 8 });
    now += 1_000;
    expect(await cache.get(b)).to.equal(null);
    expect(cache.size).to.deep.equal({ entries: 1, bytes: 6 });
    await cache.delete([a]);
    expect(cache.size).to.deep.equal({ entries: 0, bytes: 0 });
  });

  it('validates its bounds', () => {
    expect(() => new MemoryStatementCache({ maxEntries: 0 })).to.throw(RangeError);
    expect(() => new MemoryStatementCache({ maxBytes: 1.5 })).to.throw(RangeError);
  });
});
