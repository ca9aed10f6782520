import { dateInTimezone } from '../../domain/calendar-date.js';
import { isDomainError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { StatementCacheMetrics, StatementKind } from '../ports/statement-cache-metrics.js';
import type { CacheStamp, CachedEntry, StatementCachePort } from '../ports/statement-cache-port.js';
import type { ChangedStatements, CurrentVersion } from '../ports/statement-versions.js';
import { statementKeys } from './statement-keys.js';

export type CacheStatus = 'hit' | 'miss' | 'bypass';

export interface CacheSettings {
  readonly ttlSeconds: number;
  /** How long a computation may hold the lease; waiters wait at most this long. */
  readonly leaseMs: number;
  /** How often a waiter looks for the lease holder's entry. */
  readonly pollMs: number;
  /**
   * The in-process tier: decoded statements kept by this replica, most
   * recently used first, at most this many (0 turns it off)…
   */
  readonly nearEntries?: number;
  /** …and at most this many payload bytes in all. */
  readonly nearBytes?: number;
}

const DEFAULT_NEAR_ENTRIES = 2_000;
const DEFAULT_NEAR_BYTES = 32 * 1024 * 1024;

interface NearEntry {
  readonly stamp: CacheStamp;
  readonly value: unknown;
  readonly bytes: number;
}

/**
 * Seams at the points where a concurrent write can interleave with a fill
 * (SPEC §5): tests run a write and its acknowledgement at each of them.
 */
export interface CachePolicyHooks {
  afterLease?(key: string): Promise<void>;
  afterCompute?(key: string): Promise<void>;
  beforeFill?(key: string): Promise<void>;
}

/** A statement with the stamp of the snapshot it was read from. */
export interface Computed<T> {
  readonly value: T;
  readonly stamp: CacheStamp;
}

export interface StatementRead<T> {
  readonly kind: StatementKind;
  readonly key: string;
  /**
   * The owner's current version, from a query that started after this read
   * began; null when the owner does not exist.
   */
  current(): Promise<CurrentVersion | null>;
  /** Reads the statement and its stamp from one database snapshot. */
  compute(): Promise<Computed<T>>;
  encode(value: T): string;
  decode(payload: string): T;
}

export interface CachedRead<T> {
  readonly value: T;
  readonly status: CacheStatus;
}

const sameStamp = (a: CacheStamp, b: CacheStamp) => a.epoch === b.epoch && a.version === b.version && a.asOfDate === b.asOfDate;

const newerStamp = (a: CacheStamp, b: CacheStamp) =>
  a.epoch !== b.epoch ? a.epoch > b.epoch : a.version !== b.version ? a.version > b.version : a.asOfDate > b.asOfDate;


const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The read-through policy of SPEC §5, over the cache port, the version
 * source and the clock.
 *
 * A cached statement is served only when its stamp equals the owner's
 * current one — data version (read by primary key, after the request began,
 * in parallel with the cache read), database epoch, and today's date in the
 * school's timezone — so a read that starts after a write was acknowledged
 * always reflects it, whatever happened to invalidations. Fills are
 * compare-and-set on the stamp, so an older computation never overwrites a
 * newer entry. Misses compute once per stamp: in-process single flight, and
 * a lease in the cache across replicas; waiters poll for the holder's entry
 * and compute themselves once the lease time is up. When the cache fails,
 * every read is answered from the database (`bypass`).
 *
 * In front of the shared cache sits a small in-process tier of decoded
 * statements, checked against the same current stamp: a hit there costs the
 * version read and nothing else (no cache round trip, no decoding), and the
 * same object is served again, so the transport can keep its encoding.
 */
export class StatementCache {
  private readonly flights = new Map<string, Promise<Computed<unknown>>>();
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly near = new Map<string, NearEntry>();
  private nearBytes = 0;

  constructor(
    private readonly store: StatementCachePort,
    private readonly clock: Clock,
    private readonly metrics: StatementCacheMetrics,
    private readonly settings: CacheSettings,
    private readonly hooks: CachePolicyHooks = {},
  ) {}

  async read<T>(request: StatementRead<T>): Promise<CachedRead<T>> {
    const held = this.near.get(request.key);
    if (held) {
      // The in-process copy needs only the version read; the shared cache is asked only if it is stale.
      const current = await request.current();
      if (current !== null && sameStamp(held.stamp, this.wanted(current))) {
        this.remember(request.key, held);
        this.metrics.count(request.kind, 'hit');
        return { value: held.value as T, status: 'hit' };
      }
      this.forget(request.key);
      return this.readThrough(request, this.lookup(request), Promise.resolve(current));
    }
    return this.readThrough(request, this.lookup(request), request.current());
  }

  private wanted(current: CurrentVersion): CacheStamp {
    return { epoch: current.epoch, version: current.version, asOfDate: dateInTimezone(this.clock.now(), current.timezone) };
  }

  private async readThrough<T>(
    request: StatementRead<T>,
    lookup: Promise<CachedEntry | null | 'unavailable'>,
    version: Promise<CurrentVersion | null>,
  ): Promise<CachedRead<T>> {
    const [cached, current] = await Promise.all([lookup, version]);
    if (current === null) {
      // Unknown owner: the computation answers NOT_FOUND (or finds one created meanwhile).
      return { value: (await this.compute(request)).value, status: 'miss' };
    }
    const wanted = this.wanted(current);
    if (cached === 'unavailable') {
      this.metrics.count(request.kind, 'bypass');
      const computed = await this.once(request, wanted, () => this.compute(request));
      return { value: computed.value, status: 'bypass' };
    }
    if (cached !== null) {
      if (sameStamp(cached.stamp, wanted)) {
        const value = this.decode(request, cached);
        if (value !== undefined) {
          this.metrics.count(request.kind, 'hit');
          this.keep(request.key, cached.stamp, value.value, cached.payload.length);
          return { value: value.value, status: 'hit' };
        }
      } else {
        this.metrics.count(request.kind, 'stale_rejected');
      }
    }
    this.metrics.count(request.kind, 'miss');
    const computed = await this.once(request, wanted, () => this.fillThrough(request, wanted));
    return { value: computed.value, status: 'miss' };
  }

  /** After a commit: drop the changed statements' keys to free memory (best effort; versions keep reads right). */
  async evict(changed: ChangedStatements): Promise<void> {
    const keys = [...changed.studentIds.map(statementKeys.student), ...changed.schoolIds.map((id) => statementKeys.school(id))];
    if (keys.length === 0) return;
    try {
      await this.store.delete(keys);
    } catch {
      this.metrics.count(changed.studentIds.length > 0 ? 'student' : 'school', 'error');
    }
  }

  private async lookup<T>(request: StatementRead<T>): Promise<CachedEntry | null | 'unavailable'> {
    try {
      return await this.store.get(request.key);
    } catch {
      this.failed(request.kind);
      return 'unavailable';
    }
  }

  /** An entry that cannot be decoded is a miss, never an error to the caller. */
  private decode<T>(request: StatementRead<T>, entry: CachedEntry): { value: T } | undefined {
    try {
      return { value: request.decode(entry.payload) };
    } catch {
      this.metrics.count(request.kind, 'error');
      return undefined;
    }
  }

  /** One computation per key and stamp in this process; concurrent readers share it. */
  private once<T>(request: StatementRead<T>, wanted: CacheStamp, run: () => Promise<Computed<T>>): Promise<Computed<T>> {
    const flight = `${request.key}@${wanted.epoch}.${wanted.version}.${wanted.asOfDate}`;
    const running = this.flights.get(flight) as Promise<Computed<T>> | undefined;
    // The computation runs under the call that started it; when that call ran
    // out of time, a reader that joined it still has its own time: it computes itself.
    if (running) return running.catch((error: unknown) => (isDeadlineExceeded(error) ? run() : Promise.reject(error)));
    const started = run().finally(() => this.flights.delete(flight));
    this.flights.set(flight, started);
    return started;
  }

  /** Computes under the lease for this stamp, or waits for whoever holds it — at most the lease time. */
  private async fillThrough<T>(request: StatementRead<T>, wanted: CacheStamp): Promise<Computed<T>> {
    const lease = `${request.key}:lease:${wanted.epoch}.${wanted.version}.${wanted.asOfDate}`;
    const deadline = Date.now() + this.settings.leaseMs;
    let waited = false;
    for (;;) {
      let token: string | null;
      try {
        token = await this.store.acquireLease(lease, this.settings.leaseMs);
      } catch {
        this.failed(request.kind);
        return this.compute(request);
      }
      if (token !== null) {
        try {
          await this.hooks.afterLease?.(request.key);
          // The previous holder may have filled and released since this read looked: take its entry.
          const filled = await this.entryCovering(request, wanted);
          if (filled === 'unavailable') return this.compute(request);
          return filled ?? (await this.computeAndFill(request));
        } finally {
          await this.store.releaseLease(lease, token).catch(() => this.failed(request.kind));
        }
      }
      if (!waited) this.metrics.count(request.kind, 'lease_wait');
      waited = true;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.metrics.count(request.kind, 'lease_expired');
        return this.computeAndFill(request);
      }
      await sleep(Math.min(this.settings.pollMs, left));
      const filled = await this.entryCovering(request, wanted);
      if (filled === 'unavailable') return this.compute(request);
      if (filled) return filled;
    }
  }

  /**
   * The cached entry if it has exactly the wanted stamp, decoded. A newer
   * version would also be right in theory, but only equality is trusted: an
   * entry ahead of the database (a restore without the epoch bump) is never
   * served, at the price of a rare second computation.
   */
  private async entryCovering<T>(request: StatementRead<T>, wanted: CacheStamp): Promise<Computed<T> | null | 'unavailable'> {
    let entry: CachedEntry | null;
    try {
      entry = await this.store.get(request.key);
    } catch {
      this.failed(request.kind);
      return 'unavailable';
    }
    if (!entry || !sameStamp(entry.stamp, wanted)) return null;
    const value = this.decode(request, entry);
    if (value === undefined) return null;
    this.keep(request.key, entry.stamp, value.value, entry.payload.length);
    return { value: value.value, stamp: entry.stamp };
  }

  private async computeAndFill<T>(request: StatementRead<T>): Promise<Computed<T>> {
    const computed = await this.compute(request);
    await this.hooks.afterCompute?.(request.key);
    await this.hooks.beforeFill?.(request.key);
    const payload = request.encode(computed.value);
    this.keep(request.key, computed.stamp, computed.value, payload.length);
    try {
      const { outcome, storedBytes } = await this.store.fill(request.key, computed.stamp, payload, this.settings.ttlSeconds);
      this.metrics.count(request.kind, outcome === 'stored' ? 'fill_stored' : 'fill_kept');
      if (outcome === 'stored') this.metrics.observeEntryBytes(request.kind, storedBytes);
    } catch {
      this.metrics.count(request.kind, 'fill_failed');
      this.failed(request.kind);
    }
    return computed;
  }

  private async compute<T>(request: StatementRead<T>): Promise<Computed<T>> {
    const started = performance.now();
    const computed = await request.compute();
    this.metrics.count(request.kind, 'computation');
    this.metrics.observeComputeMs(request.kind, performance.now() - started);
    return computed;
  }

  /** Drops this replica's in-process copies of the keys starting with `keyPrefix` (an operator's invalidation). */
  forgetLocal(keyPrefix: string): void {
    for (const key of [...this.near.keys()]) if (key.startsWith(keyPrefix)) this.forget(key);
  }

  /** Keeps a decoded statement in the in-process tier, evicting the least recently used beyond its bounds. */
  private keep(key: string, stamp: CacheStamp, value: unknown, bytes: number): void {
    const maxEntries = this.settings.nearEntries ?? DEFAULT_NEAR_ENTRIES;
    const maxBytes = this.settings.nearBytes ?? DEFAULT_NEAR_BYTES;
    if (maxEntries === 0 || bytes > maxBytes) return;
    const held = this.near.get(key);
    // An older copy never replaces a newer one (a slow computation finishing after a newer fill).
    if (held && newerStamp(held.stamp, stamp)) return;
    this.remember(key, { stamp, value, bytes });
    while (this.near.size > maxEntries || this.nearBytes > maxBytes) this.forget(this.near.keys().next().value!);
  }

  /** (Re)inserts as the most recently used. */
  private remember(key: string, entry: NearEntry): void {
    this.forget(key);
    this.near.set(key, entry);
    this.nearBytes += entry.bytes;
  }

  private forget(key: string): void {
    const held = this.near.get(key);
    if (!held) return;
    this.near.delete(key);
    this.nearBytes -= held.bytes;
  }

  /** Every cache failure is counted and then bypassed: callers never see one. */
  private failed(kind: StatementKind): void {
    this.metrics.count(kind, 'error');
  }
}

function isDeadlineExceeded(error: unknown): boolean {
  return isDomainError(error) && error.reason === 'DEADLINE_EXCEEDED';
}
