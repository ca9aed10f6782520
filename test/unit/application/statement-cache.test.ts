import { expect } from 'chai';
import type { StatementVersionSource } from '../../../src/application/ports/statement-versions.js';
import { statementKeys } from '../../../src/application/statement/statement-keys.js';
import { VersionBatcher } from '../../../src/application/statement/version-batcher.js';
import type { StudentId } from '../../../src/domain/ids.js';
import { billing } from '../support/billing.js';

const countOf = (b: ReturnType<typeof billing>, event: Parameters<ReturnType<typeof billing>['cacheMetrics']['count']>[1]) =>
  b.cacheMetrics.snapshot().student[event];

describe('statement cache policy (use cases over fakes)', () => {
  async function withStudent(options?: Parameters<typeof billing>[1], start?: string) {
    const b = billing(start, options);
    const student = await b.given.student();
    await b.given.invoice(student.id, 1000n, '2026-04-01');
    const read = () => b.useCases.getStudentStatement.execute(student.id);
    return { ...b, student, read };
  }

  it('misses, fills, then hits with the same statement', async () => {
    const b = await withStudent();

    const first = await b.read();
    const second = await b.read();

    expect([first.status, second.status]).to.deep.equal(['miss', 'hit']);
    expect(second.value).to.deep.equal(first.value);
    expect(b.cacheStore.entries.has(statementKeys.student(b.student.id))).to.equal(true);
    expect([countOf(b, 'computation'), countOf(b, 'fill_stored'), countOf(b, 'hit')]).to.deep.equal([1, 1, 1]);
  });

  it('never serves an entry of an older version, even when the invalidation was lost', async () => {
    const b = await withStudent({ evictOnCommit: false });
    await b.read();

    await b.given.pay(b.student.id, 400n);
    const after = await b.read();

    expect(after.status).to.equal('miss');
    expect(after.value.totals.outstandingMinor).to.equal(600n);
    expect(countOf(b, 'stale_rejected')).to.equal(1);
  });

  it('rejects entries of another epoch (after a restore)', async () => {
    const b = await withStudent();
    await b.read();

    b.state.epoch += 1n;
    const after = await b.read();

    expect(after.status).to.equal('miss');
    expect(countOf(b, 'stale_rejected')).to.equal(1);
  });

  it('never serves yesterday\'s statement after midnight at the school', async () => {
    // 2026-04-01 23:30 in New York is 03:30 UTC on the 2nd.
    const b = billing('2026-04-02T03:30:00Z');
    const school = await b.given.school({ timezone: 'America/New_York' });
    const student = await b.given.student(school.id);
    await b.given.invoice(student.id, 1000n, '2026-04-01', { issueDate: '2026-03-01' });
    const before = await b.useCases.getStudentStatement.execute(student.id);

    b.clock.advance(60 * 60_000);
    const after = await b.useCases.getStudentStatement.execute(student.id);

    expect([before.value.asOfDate, before.value.totals.overdueCount]).to.deep.equal(['2026-04-01', 0n]);
    expect([after.status, after.value.asOfDate, after.value.totals.overdueCount]).to.deep.equal(['miss', '2026-04-02', 1n]);
  });

  it('answers from the database when the cache is down (bypass), with no error', async () => {
    const b = await withStudent();
    b.cacheStore.down = true;

    const read = await b.read();

    expect(read.status).to.equal('bypass');
    expect(read.value.totals.outstandingMinor).to.equal(1000n);
    expect(countOf(b, 'bypass')).to.equal(1);
    expect(countOf(b, 'error')).to.be.greaterThan(0);
  });

  it('serves nothing stale when the cache comes back with old entries', async () => {
    const b = await withStudent({ evictOnCommit: false });
    await b.read();
    b.cacheStore.down = true;
    await b.given.pay(b.student.id, 250n);
    b.cacheStore.down = false;

    const read = await b.read();

    expect(read.status).to.equal('miss');
    expect(read.value.totals.outstandingMinor).to.equal(750n);
  });

  it('computes a cold statement once for concurrent readers in one process', async () => {
    const b = await withStudent();

    const reads = await Promise.all(Array.from({ length: 25 }, () => b.read()));

    expect(new Set(reads.map((r) => r.status))).to.deep.equal(new Set(['miss']));
    expect(countOf(b, 'computation')).to.equal(1);
  });

  it('waits for another replica holding the lease and takes its entry', async () => {
    const b = await withStudent({ leaseMs: 2000 });
    const { version } = (await b.versionSource.students([b.student.id])).get(b.student.id)!;
    const lease = `${statementKeys.student(b.student.id)}:lease:1.${version}.2026-03-10`;
    b.cacheStore.leases.set(lease, 'other-replica');
    // The other replica fills while we wait.
    const other = await b.useCases.getStudentStatement.compute(b.student.id);
    setTimeout(() => {
      b.cacheStore.put(statementKeys.student(b.student.id), other.stamp, b.codec.encodeStudent(other.value));
      b.cacheStore.leases.delete(lease);
    }, 30);
    const computedBefore = countOf(b, 'computation');

    const read = await b.read();

    expect(read.status).to.equal('miss');
    expect(read.value).to.deep.equal(other.value);
    expect(countOf(b, 'computation')).to.equal(computedBefore);
    expect(countOf(b, 'lease_wait')).to.equal(1);
  });

  it('takes the entry a previous lease holder filled after this read looked, without computing again', async () => {
    const b = await withStudent();
    const other = await b.useCases.getStudentStatement.compute(b.student.id);
    b.cacheStore.put(statementKeys.student(b.student.id), other.stamp, b.codec.encodeStudent(other.value));
    // This read's first look at the key came before the other replica's fill landed.
    const get = b.cacheStore.get.bind(b.cacheStore);
    let looks = 0;
    b.cacheStore.get = async (key) => (looks++ === 0 ? null : get(key));
    const computedBefore = countOf(b, 'computation');

    const read = await b.read();

    expect(read.value).to.deep.equal(other.value);
    expect(countOf(b, 'computation')).to.equal(computedBefore);
  });

  it('computes itself once the lease time is up when the holder never fills', async () => {
    const b = await withStudent({ leaseMs: 60 });
    const { version } = (await b.versionSource.students([b.student.id])).get(b.student.id)!;
    b.cacheStore.leases.set(`${statementKeys.student(b.student.id)}:lease:1.${version}.2026-03-10`, 'dead-replica');
    const started = Date.now();

    const read = await b.read();

    const waited = Date.now() - started;
    expect(read.value.totals.outstandingMinor).to.equal(1000n);
    expect(countOf(b, 'lease_expired')).to.equal(1);
    // Coarse bound: at least the lease time, well under 3 × it.
    expect(waited).to.be.within(55, 180);
  });

  it('never lets an older fill overwrite a newer entry', async () => {
    const b = await withStudent({ evictOnCommit: false });
    const old = await b.useCases.getStudentStatement.compute(b.student.id);
    await b.given.pay(b.student.id, 100n);
    await b.read();
    const key = statementKeys.student(b.student.id);
    const newer = b.cacheStore.entries.get(key)!;

    const outcome = await b.cacheStore.fill(key, old.stamp, b.codec.encodeStudent(old.value));

    expect(outcome.outcome).to.equal('kept');
    expect(b.cacheStore.entries.get(key)).to.deep.equal(newer);
  });

  describe('the in-process tier', () => {
    it('serves a repeated read with the version read alone: no cache round trip, the same object', async () => {
      const b = await withStudent();
      const first = await b.read();
      const gets = () => b.cacheStore.calls.filter((call) => call.startsWith('get ')).length;
      const before = gets();

      const second = await b.read();

      expect(second.status).to.equal('hit');
      expect(second.value).to.equal(first.value);
      expect(gets()).to.equal(before);
    });

    it('is checked against the current stamp like the shared cache: a write makes it stale', async () => {
      const b = await withStudent({ evictOnCommit: false });
      await b.read();

      await b.given.pay(b.student.id, 100n);
      const after = await b.read();

      expect(after.status).to.equal('miss');
      expect(after.value.totals.outstandingMinor).to.equal(900n);
    });

    it('keeps at most nearEntries statements, the least recently used going first', async () => {
      const b = billing(undefined, { nearEntries: 1 });
      const [s1, s2] = [await b.given.student(), await b.given.student()];
      await b.useCases.getStudentStatement.execute(s1.id);
      await b.useCases.getStudentStatement.execute(s2.id);
      const gets = () => b.cacheStore.calls.filter((call) => call.startsWith('get ')).length;
      const before = gets();

      const again = await b.useCases.getStudentStatement.execute(s1.id);

      expect(again.status).to.equal('hit');
      expect(gets(), 'the evicted statement comes from the shared cache').to.equal(before + 1);
    });

    it('can be turned off', async () => {
      const b = await withStudent({ nearEntries: 0 });
      await b.read();
      const gets = () => b.cacheStore.calls.filter((call) => call.startsWith('get ')).length;
      const before = gets();

      expect((await b.read()).status).to.equal('hit');
      expect(gets()).to.equal(before + 1);
    });
  });

  describe('deterministic interleavings: a write acknowledged at each step of a fill', () => {
    for (const step of ['afterLease', 'afterCompute', 'beforeFill'] as const) {
      it(`a read that starts after the write reflects it (write ${step}, invalidation lost)`, async () => {
        let write: (() => Promise<unknown>) | undefined;
        const hooks = {
          [step]: async () => {
            const run = write;
            write = undefined;
            await run?.();
          },
        };
        const b = await withStudent({ hooks, evictOnCommit: false });
        write = () => b.given.pay(b.student.id, 300n);

        const during = await b.read();
        const after = await b.read();

        expect(write, 'the hook ran the write').to.equal(undefined);
        expect(during.value.totals.outstandingMinor).to.be.oneOf([1000n, 700n]);
        expect(after.value.totals.outstandingMinor).to.equal(700n);
      });
    }
  });

  describe('coalesced version reads', () => {
    function steppedBatcher(source: StatementVersionSource) {
      const queued: (() => void)[] = [];
      const batcher = new VersionBatcher(source, (run) => queued.push(run));
      return { batcher, step: () => queued.splice(0).forEach((run) => run()) };
    }

    it('share one query among the requests that arrived before it started', async () => {
      const b = await withStudent();
      const { batcher, step } = steppedBatcher(b.versionSource);
      const readsBefore = b.versionSource.reads;

      const pending = Array.from({ length: 5 }, () => batcher.student(b.student.id));
      step();
      const versions = await Promise.all(pending);

      expect(new Set(versions.map((v) => v?.version)).size).to.equal(1);
      expect(b.versionSource.reads - readsBefore).to.equal(1);
    });

    it('gather while the batches in flight are all busy, then share one query', async () => {
      const b = await withStudent();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let queries = 0;
      const slow: StatementVersionSource = {
        students: async (ids) => {
          queries += 1;
          if (queries === 1) await gate;
          return b.versionSource.students(ids);
        },
        schools: (ids) => b.versionSource.schools(ids),
      };
      const queued: (() => void)[] = [];
      const batcher = new VersionBatcher(slow, (run) => queued.push(run), 1);
      const step = () => queued.splice(0).forEach((run) => run());

      const first = batcher.student(b.student.id);
      step();
      const later = [batcher.student(b.student.id), batcher.student(b.student.id)];
      step();
      expect(queries, 'the busy batcher starts nothing more').to.equal(1);
      release();
      await first;
      await new Promise((resolve) => setImmediate(resolve));
      step();
      await Promise.all(later);

      expect(queries).to.equal(2);
    });

    it('never give a request a version read by a query that started before it', async () => {
      const b = await withStudent();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      // A version query that is slow to answer, started before the write.
      const slow: StatementVersionSource = {
        students: async (ids) => {
          const found = await b.versionSource.students(ids);
          await gate;
          return found;
        },
        schools: (ids) => b.versionSource.schools(ids),
      };
      const { batcher, step } = steppedBatcher(slow);
      const early = batcher.student(b.student.id);
      step();
      await new Promise((resolve) => setImmediate(resolve));
      await b.given.pay(b.student.id, 1n);

      const late = batcher.student(b.student.id as StudentId);
      step();
      release();

      const [earlyVersion, lateVersion] = await Promise.all([early, late]);
      expect(lateVersion!.version).to.equal(earlyVersion!.version + 1n);
    });
  });
});
