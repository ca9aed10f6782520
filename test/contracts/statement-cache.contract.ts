/**
 * The StatementCachePort contract, run on every adapter (memory, Redis on the
 * shared server under its own prefix, Redis Cluster): what the read-through
 * policy relies on — compare-and-set fills ordered by stamp, TTL, exclusive
 * token leases, prefix deletes and counts, isolation by key prefix.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { CacheStamp, StatementCachePort } from '../../src/application/ports/statement-cache-port.js';

export interface CacheHarness {
  readonly cache: StatementCachePort;
  /** Another cache on the same store under another key prefix. */
  sibling(): Promise<StatementCachePort>;
  /** Remaining TTL of a key as the store reports it, in seconds; null when absent. */
  ttlSeconds(key: string): Promise<number | null>;
  /** Lets `ms` pass: a fake clock moves, or the test sleeps. */
  advance(ms: number): Promise<void>;
  /** Writes a raw value under the key (foreign or older-format entries); absent where values have no raw form. */
  readonly writeRaw?: (key: string, value: string) => Promise<void>;
  /** Deletes everything the test wrote and closes connections. */
  close(): Promise<void>;
}

export interface CacheContractOptions {
  /** Whether the store has a raw form (Redis): the foreign-format cases are declared only then. */
  readonly rawValues: boolean;
}

const studentKey = () => `statement:student:${randomUUID()}`;
const schoolKey = () => `statement:school:${randomUUID()}`;
const stamp = (epoch: bigint, version: bigint, asOfDate = '2026-03-01'): CacheStamp => ({ epoch, version, asOfDate });

export function statementCacheContract(name: string, factory: () => Promise<CacheHarness>, options: CacheContractOptions): void {
  describe(`StatementCachePort contract: ${name}`, function () {
    let h: CacheHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close();
    });

    describe('get / fill / delete', () => {
      it('misses on an absent key', async () => {
        expect(await h.cache.get(studentKey())).to.equal(null);
      });

      it('returns what was filled, with its stamp and stored size', async () => {
        const key = studentKey();
        const payload = JSON.stringify({ student: 'Amélie Dubois', emoji: '📚', amount: '12345678901234567890' });
        const filled = await h.cache.fill(key, stamp(3n, 42n), payload, 60);
        expect(filled.outcome).to.equal('stored');
        expect(filled.storedBytes).to.be.greaterThan(0);
        const entry = await h.cache.get(key);
        expect(entry).to.deep.equal({ stamp: stamp(3n, 42n), payload, storedBytes: filled.storedBytes });
      });

      it('round-trips a large payload (compressed where the adapter compresses)', async () => {
        const key = schoolKey();
        const rows = Array.from({ length: 3_000 }, (_, i) => ({ id: randomUUID(), name: `Élève ${i}`, outstanding: String(i * 1_000) }));
        const payload = JSON.stringify({ rows });
        const filled = await h.cache.fill(key, stamp(1n, 1n), payload, 60);
        const entry = await h.cache.get(key);
        expect(entry?.payload).to.equal(payload);
        expect(entry?.storedBytes).to.equal(filled.storedBytes);
      });

      it('deletes keys, absent ones and none at all included', async () => {
        const [a, b] = [studentKey(), schoolKey()];
        await h.cache.fill(a, stamp(1n, 1n), '{"a":1}', 60);
        await h.cache.fill(b, stamp(1n, 1n), '{"b":1}', 60);
        await h.cache.delete([a, b, studentKey()]);
        await h.cache.delete([]);
        expect(await h.cache.get(a)).to.equal(null);
        expect(await h.cache.get(b)).to.equal(null);
      });
    });

    describe('compare-and-set fills', () => {
      async function sequence(first: CacheStamp, second: CacheStamp): Promise<{ outcome: string; kept: string | undefined }> {
        const key = studentKey();
        await h.cache.fill(key, first, '"first"', 60);
        const { outcome } = await h.cache.fill(key, second, '"second"', 60);
        return { outcome, kept: (await h.cache.get(key))?.payload };
      }

      it('an older fill never overwrites a newer entry', async () => {
        expect(await sequence(stamp(1n, 7n), stamp(1n, 6n))).to.deep.equal({ outcome: 'kept', kept: '"first"' });
      });

      it('a newer fill overwrites', async () => {
        expect(await sequence(stamp(1n, 6n), stamp(1n, 7n))).to.deep.equal({ outcome: 'stored', kept: '"second"' });
      });

      it('an equal stamp keeps the entry there', async () => {
        expect(await sequence(stamp(1n, 7n), stamp(1n, 7n))).to.deep.equal({ outcome: 'kept', kept: '"first"' });
      });

      it('the epoch dominates the version', async () => {
        expect(await sequence(stamp(1n, 100n), stamp(2n, 1n))).to.deep.equal({ outcome: 'stored', kept: '"second"' });
        expect(await sequence(stamp(2n, 1n), stamp(1n, 100n))).to.deep.equal({ outcome: 'kept', kept: '"first"' });
      });

      it('with the same version, a later as-of date wins (midnight rollover) and an earlier one does not', async () => {
        expect(await sequence(stamp(1n, 5n, '2026-03-01'), stamp(1n, 5n, '2026-03-02'))).to.deep.equal({ outcome: 'stored', kept: '"second"' });
        expect(await sequence(stamp(1n, 5n, '2026-03-02'), stamp(1n, 5n, '2026-03-01'))).to.deep.equal({ outcome: 'kept', kept: '"first"' });
        expect(await sequence(stamp(1n, 5n, '2025-12-31'), stamp(1n, 5n, '2026-01-01'))).to.deep.equal({ outcome: 'stored', kept: '"second"' });
      });

      it('the version dominates the as-of date', async () => {
        expect(await sequence(stamp(1n, 6n, '2026-03-01'), stamp(1n, 5n, '2026-03-09'))).to.deep.equal({ outcome: 'kept', kept: '"first"' });
      });

      it('orders counters as integers: 10 after 9, and past 2^53 exactly', async () => {
        expect(await sequence(stamp(1n, 10n), stamp(1n, 9n))).to.deep.equal({ outcome: 'kept', kept: '"first"' });
        expect(await sequence(stamp(1n, 9n), stamp(1n, 10n))).to.deep.equal({ outcome: 'stored', kept: '"second"' });
        const big = 2n ** 53n;
        expect(await sequence(stamp(1n, big + 1n), stamp(1n, big))).to.deep.equal({ outcome: 'kept', kept: '"first"' });
        expect(await sequence(stamp(1n, big), stamp(1n, big + 1n))).to.deep.equal({ outcome: 'stored', kept: '"second"' });
        expect(await sequence(stamp(big + 1n, 0n), stamp(big, 99n))).to.deep.equal({ outcome: 'kept', kept: '"first"' });
        const max = 2n ** 63n - 1n;
        expect(await sequence(stamp(max, max - 1n), stamp(max, max))).to.deep.equal({ outcome: 'stored', kept: '"second"' });
      });

      it('concurrent fills of many versions leave the newest', async () => {
        const key = studentKey();
        const versions = Array.from({ length: 30 }, (_, i) => BigInt(i + 1)).sort(() => Math.random() - 0.5);
        await Promise.all(versions.map((v) => h.cache.fill(key, stamp(1n, v), JSON.stringify(String(v)), 60)));
        expect(await h.cache.get(key)).to.include({ payload: '"30"' });
      });

      it('rejects a negative counter or a malformed as-of date without touching the entry', async () => {
        const key = studentKey();
        await h.cache.fill(key, stamp(1n, 1n), '"kept"', 60);
        let failures = 0;
        for (const bad of [stamp(-1n, 1n), stamp(1n, -2n), stamp(1n, 2n, '2026-3-1')]) {
          await h.cache.fill(key, bad, '"bad"', 60).catch(() => {
            failures += 1;
          });
        }
        expect(failures).to.equal(3);
        expect(await h.cache.get(key)).to.include({ payload: '"kept"' });
      });
    });

    if (options.rawValues) {
      describe('entries of another format', () => {
        const foreign: Record<string, string> = {
          'a seed-style plain JSON value': '{"student_id":"x","total_invoiced":100.5}',
          'another format version': '{"format":999,"epoch":"9","version":"9","asOf":"2099-01-01","encoding":"json"}\n{}',
          'an unparseable header': '{"format":1,"epoch":\n{}',
          'a malformed stamp': '{"format":1,"epoch":"09","version":"x","asOf":"2099-01-01","encoding":"json"}\n{}',
          'an unknown encoding': '{"format":1,"epoch":"0","version":"0","asOf":"2000-01-01","encoding":"lz4+json"}\n{}',
          'an empty string': '',
        };
        for (const [what, value] of Object.entries(foreign)) {
          it(`${what} is a miss and is overwritten by any fill`, async () => {
            const key = studentKey();
            await h.writeRaw?.(key, value);
            expect(await h.cache.get(key)).to.equal(null);
            const { outcome } = await h.cache.fill(key, stamp(0n, 0n, '2000-01-01'), '"ours"', 60);
            expect(outcome).to.equal('stored');
            expect(await h.cache.get(key)).to.include({ payload: '"ours"' });
          });
        }
      });
    }

    describe('TTL', () => {
      it('sets the TTL of a stored entry', async () => {
        const key = studentKey();
        await h.cache.fill(key, stamp(1n, 1n), '{}', 120);
        const ttl = await h.ttlSeconds(key);
        expect(ttl).to.be.within(118, 120);
      });

      it('a kept fill leaves the TTL of the entry there alone', async () => {
        const key = studentKey();
        await h.cache.fill(key, stamp(1n, 2n), '{}', 300);
        await h.cache.fill(key, stamp(1n, 1n), '{}', 5);
        expect(await h.ttlSeconds(key)).to.be.within(295, 300);
      });

      it('an expired entry is a miss, and any fill stores again', async () => {
        const key = studentKey();
        await h.cache.fill(key, stamp(1n, 9n), '"old"', 1);
        await h.advance(1_150);
        expect(await h.cache.get(key)).to.equal(null);
        expect(await h.ttlSeconds(key)).to.equal(null);
        expect((await h.cache.fill(key, stamp(1n, 1n), '"new"', 60)).outcome).to.equal('stored');
      });
    });

    describe('leases', () => {
      it('are exclusive while held', async () => {
        const lease = `${studentKey()}:lease`;
        const token = await h.cache.acquireLease(lease, 5_000);
        expect(token).to.be.a('string').and.not.equal('');
        expect(await h.cache.acquireLease(lease, 5_000)).to.equal(null);
      });

      it('one of many concurrent acquirers wins', async () => {
        const lease = `${studentKey()}:lease`;
        const tokens = await Promise.all(Array.from({ length: 20 }, () => h.cache.acquireLease(lease, 5_000)));
        expect(tokens.filter((t) => t !== null)).to.have.length(1);
      });

      it('are released only with their token', async () => {
        const lease = `${schoolKey()}:lease`;
        const token = await h.cache.acquireLease(lease, 5_000);
        await h.cache.releaseLease(lease, 'not-the-token');
        expect(await h.cache.acquireLease(lease, 5_000)).to.equal(null);
        await h.cache.releaseLease(lease, token ?? '');
        expect(await h.cache.acquireLease(lease, 5_000)).to.be.a('string');
      });

      it('expire after their time, and a stale token cannot release the next holder', async () => {
        const lease = `${studentKey()}:lease`;
        const first = await h.cache.acquireLease(lease, 100);
        await h.advance(150);
        const second = await h.cache.acquireLease(lease, 5_000);
        expect(second).to.be.a('string').and.not.equal(first);
        await h.cache.releaseLease(lease, first ?? '');
        expect(await h.cache.acquireLease(lease, 5_000)).to.equal(null);
      });

      it('do not disturb the statement entry they sit beside', async () => {
        const key = studentKey();
        await h.cache.fill(key, stamp(1n, 1n), '"entry"', 60);
        const token = await h.cache.acquireLease(`${key}:lease`, 5_000);
        await h.cache.releaseLease(`${key}:lease`, token ?? '');
        expect(await h.cache.get(key)).to.include({ payload: '"entry"' });
      });
    });

    describe('deleteMatching and countKeys', () => {
      it('count statement keys only, and delete by prefix', async () => {
        const students = [studentKey(), studentKey(), studentKey()];
        const schools = [schoolKey(), schoolKey()];
        for (const key of [...students, ...schools]) await h.cache.fill(key, stamp(1n, 1n), '{}', 60);
        const studentLease = `${students[0]}:lease`;
        const schoolLease = `${schools[0]}:lease`;
        await h.cache.acquireLease(studentLease, 5_000);
        await h.cache.acquireLease(schoolLease, 5_000);
        expect(await h.cache.countKeys()).to.equal(5);

        expect(await h.cache.deleteMatching('statement:student:')).to.equal(4); // three entries and a lease
        expect(await h.cache.countKeys()).to.equal(2);
        for (const key of students) expect(await h.cache.get(key)).to.equal(null);
        expect(await h.cache.acquireLease(studentLease, 5_000)).to.be.a('string');
        expect(await h.cache.get(schools[1] ?? '')).to.include({ payload: '{}' });

        expect(await h.cache.deleteMatching(schools[0] ?? '')).to.equal(2); // the entry and its lease
        expect(await h.cache.countKeys()).to.equal(1);
        expect(await h.cache.deleteMatching('statement:')).to.equal(2); // the last school and the new student lease
        expect(await h.cache.countKeys()).to.equal(0);
        expect(await h.cache.deleteMatching('statement:')).to.equal(0);
      });

      it('take a key prefix literally (glob characters match only themselves)', async () => {
        const key = studentKey();
        await h.cache.fill(key, stamp(1n, 1n), '{}', 60);
        expect(await h.cache.deleteMatching('statement:*')).to.equal(0);
        expect(await h.cache.deleteMatching('statement:?tudent:')).to.equal(0);
        expect(await h.cache.deleteMatching('statement:[s]tudent:')).to.equal(0);
        expect(await h.cache.countKeys()).to.equal(1);
      });

      it('go through more keys than one SCAN batch', async () => {
        const keys = Array.from({ length: 2_500 }, studentKey);
        await Promise.all(keys.map((key) => h.cache.fill(key, stamp(1n, 1n), '{}', 60)));
        expect(await h.cache.countKeys()).to.equal(2_500);
        expect(await h.cache.deleteMatching('statement:student:')).to.equal(2_500);
        expect(await h.cache.countKeys()).to.equal(0);
      });
    });

    describe('key prefix', () => {
      it('isolates two caches on one store', async () => {
        const other = await h.sibling();
        const key = studentKey();
        await h.cache.fill(key, stamp(1n, 1n), '"mine"', 60);
        expect(await other.get(key)).to.equal(null);
        expect(await other.countKeys()).to.equal(0);
        expect(await other.deleteMatching('statement:')).to.equal(0);
        expect((await other.fill(key, stamp(1n, 0n), '"theirs"', 60)).outcome).to.equal('stored');
        expect(await other.acquireLease(`${key}:lease`, 5_000)).to.be.a('string');
        expect(await h.cache.acquireLease(`${key}:lease`, 5_000)).to.be.a('string');
        expect(await h.cache.get(key)).to.include({ payload: '"mine"' });
        expect(await h.cache.countKeys()).to.equal(1);
        expect(await other.deleteMatching('statement:')).to.equal(2);
        expect(await h.cache.get(key)).to.include({ payload: '"mine"' });
      });
    });
  });
}
