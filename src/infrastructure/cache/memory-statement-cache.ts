/**
 * The statement cache in this process, for when no Redis is configured:
 * the same port and the same semantics as RedisStatementCache (compare-and-set
 * fills ordered by stamp, TTL, token leases, prefix deletes), bounded by a
 * number of entries and a total of payload bytes, least recently used entry
 * evicted first. Nothing is serialised: the payload string is kept as is, and
 * its UTF-8 size is what counts against the bound.
 *
 * Operations never fail (no CacheUnavailableError); each replica has its own
 * cache, which stays correct because hits are checked against the current
 * version by the caller.
 */
import { randomUUID } from 'node:crypto';
import type {
  CacheStamp,
  CachedEntry,
  FillOutcome,
  StatementCachePort,
} from '../../application/ports/statement-cache-port.js';
import { compareStamps, decimalOf, requireAsOfDate } from './envelope.js';
import { isStatementKey } from './statement-keys.js';

export interface MemoryStatementCacheOptions {
  /** Default 10,000 entries. */
  readonly maxEntries?: number;
  /** Total payload bytes (UTF-8). Default 64 MiB. */
  readonly maxBytes?: number;
  /** Milliseconds since the epoch; tests drive it by hand. */
  readonly now?: () => number;
}

export const MEMORY_CACHE_DEFAULTS = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 } as const;

interface Entry {
  readonly stamp: CacheStamp;
  readonly payload: string;
  readonly bytes: number;
  readonly expiresAt: number;
}

interface Lease {
  readonly token: string;
  readonly expiresAt: number;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer (got ${value})`);
  return value;
}

export class MemoryStatementCache implements StatementCachePort {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private readonly leases = new Map<string, Lease>();
  private bytes = 0;

  constructor(options: MemoryStatementCacheOptions = {}) {
    this.maxEntries = positiveInteger(options.maxEntries ?? MEMORY_CACHE_DEFAULTS.maxEntries, 'maxEntries');
    this.maxBytes = positiveInteger(options.maxBytes ?? MEMORY_CACHE_DEFAULTS.maxBytes, 'maxBytes');
    this.now = options.now ?? Date.now;
  }

  /** Entries and payload bytes held now (expired ones included until touched or evicted). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** Milliseconds until the entry expires, or null when absent (the `PTTL` of the Redis adapter). */
  remainingTtlMs(key: string): number | null {
    const entry = this.live(key);
    return entry === undefined ? null : entry.expiresAt - this.now();
  }

  async get(key: string): Promise<CachedEntry | null> {
    const entry = this.live(key);
    if (entry === undefined) return null;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { stamp: entry.stamp, payload: entry.payload, storedBytes: entry.bytes };
  }

  async fill(key: string, stamp: CacheStamp, payload: string, ttlSeconds: number): Promise<{ outcome: FillOutcome; storedBytes: number }> {
    positiveInteger(ttlSeconds, 'ttlSeconds');
    decimalOf(stamp.epoch, 'epoch');
    decimalOf(stamp.version, 'version');
    requireAsOfDate(stamp.asOfDate);
    const bytes = Buffer.byteLength(payload, 'utf8');
    const existing = this.live(key);
    if (existing !== undefined && compareStamps(existing.stamp, stamp) >= 0) return { outcome: 'kept', storedBytes: bytes };
    this.remove(key);
    // Larger than the whole cache: won the compare-and-set, evicted at once (as Redis under maxmemory would).
    if (bytes > this.maxBytes) return { outcome: 'stored', storedBytes: bytes };
    this.entries.set(key, { stamp: { ...stamp }, payload, bytes, expiresAt: this.now() + ttlSeconds * 1000 });
    this.bytes += bytes;
    this.evict();
    return { outcome: 'stored', storedBytes: bytes };
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.remove(key);
  }

  async deleteMatching(keyPrefix: string): Promise<number> {
    let deleted = 0;
    const now = this.now();
    for (const [key, entry] of [...this.entries]) {
      if (!key.startsWith(keyPrefix)) continue;
      this.remove(key);
      if (entry.expiresAt > now) deleted += 1;
    }
    for (const [name, lease] of [...this.leases]) {
      if (!name.startsWith(keyPrefix)) continue;
      this.leases.delete(name);
      if (lease.expiresAt > now) deleted += 1;
    }
    return deleted;
  }

  async countKeys(): Promise<number> {
    const now = this.now();
    let count = 0;
    for (const [key, entry] of this.entries) if (entry.expiresAt > now && isStatementKey(key)) count += 1;
    return count;
  }

  async acquireLease(name: string, ttlMs: number): Promise<string | null> {
    positiveInteger(ttlMs, 'ttlMs');
    const now = this.now();
    this.sweepLeases(now);
    const held = this.leases.get(name);
    if (held !== undefined && held.expiresAt > now) return null;
    const token = randomUUID();
    this.leases.set(name, { token, expiresAt: now + ttlMs });
    return token;
  }

  async releaseLease(name: string, token: string): Promise<void> {
    const held = this.leases.get(name);
    if (held !== undefined && held.token === token && held.expiresAt > this.now()) this.leases.delete(name);
  }

  /** The entry if present and not expired; an expired one is dropped. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.now()) return entry;
    this.remove(key);
    return undefined;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  /** Least recently used entries go first, until within both bounds (expired ones are dropped when touched). */
  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.remove(key);
    }
  }

  /** Leases are few and short; expired ones are dropped when the map grows. */
  private sweepLeases(now: number): void {
    if (this.leases.size < 1_000) return;
    for (const [name, lease] of this.leases) if (lease.expiresAt <= now) this.leases.delete(name);
  }
}
