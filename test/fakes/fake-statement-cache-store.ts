import {
  type CacheStamp,
  type CachedEntry,
  CacheUnavailableError,
  type FillOutcome,
  type StatementCachePort,
} from '../../src/application/ports/statement-cache-port.js';

const newer = (a: CacheStamp, b: CacheStamp) =>
  a.epoch !== b.epoch ? a.epoch > b.epoch : a.version !== b.version ? a.version > b.version : a.asOfDate > b.asOfDate;

/**
 * A cache store for unit tests: the port's semantics (compare-and-set fills,
 * exclusive leases) in a Map, with knobs to make it fail or to put old
 * values back as a lost delete would leave them.
 */
export class FakeStatementCacheStore implements StatementCachePort {
  readonly entries = new Map<string, CachedEntry>();
  readonly leases = new Map<string, string>();
  readonly calls: string[] = [];
  /** While true every operation rejects with CacheUnavailableError. */
  down = false;
  private tokens = 0;

  private touch(operation: string): void {
    this.calls.push(operation);
    if (this.down) throw new CacheUnavailableError('cache down (test)');
  }

  async get(key: string): Promise<CachedEntry | null> {
    this.touch(`get ${key}`);
    return this.entries.get(key) ?? null;
  }

  async fill(key: string, stamp: CacheStamp, payload: string): Promise<{ outcome: FillOutcome; storedBytes: number }> {
    this.touch(`fill ${key}`);
    const existing = this.entries.get(key);
    if (existing && !newer(stamp, existing.stamp)) return { outcome: 'kept', storedBytes: existing.storedBytes };
    this.entries.set(key, { stamp, payload, storedBytes: payload.length });
    return { outcome: 'stored', storedBytes: payload.length };
  }

  /** Writes an entry directly, as an older process (or a lost delete) would leave it. */
  put(key: string, stamp: CacheStamp, payload: string): void {
    this.entries.set(key, { stamp, payload, storedBytes: payload.length });
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.touch(`delete ${keys.join(',')}`);
    for (const key of keys) this.entries.delete(key);
  }

  async deleteMatching(keyPrefix: string): Promise<number> {
    this.touch(`deleteMatching ${keyPrefix}`);
    const doomed = [...this.entries.keys()].filter((key) => key.startsWith(keyPrefix));
    for (const key of doomed) this.entries.delete(key);
    return doomed.length;
  }

  async countKeys(): Promise<number> {
    this.touch('countKeys');
    return this.entries.size;
  }

  async acquireLease(name: string): Promise<string | null> {
    this.touch(`acquireLease ${name}`);
    if (this.leases.has(name)) return null;
    const token = `t${++this.tokens}`;
    this.leases.set(name, token);
    return token;
  }

  async releaseLease(name: string, token: string): Promise<void> {
    this.touch(`releaseLease ${name}`);
    if (this.leases.get(name) === token) this.leases.delete(name);
  }
}
