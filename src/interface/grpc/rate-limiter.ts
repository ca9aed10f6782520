/**
 * A token bucket per caller: each caller may make `burst` calls at once and
 * `perSecond` calls a second on average. Buckets live in this process (each
 * replica limits on its own). Idle callers cost nothing for long: a bucket
 * that has refilled is the same as no bucket, so it is dropped when the map
 * grows past `maxCallers`.
 */
export interface RateLimitSettings {
  readonly perSecond: number;
  readonly burst: number;
  /** Buckets kept before full ones are swept (default 100,000). */
  readonly maxCallers?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxCallers: number;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(settings.perSecond > 0) || !(settings.burst >= 1)) throw new Error('a rate limit needs perSecond > 0 and burst >= 1');
    this.maxCallers = settings.maxCallers ?? 100_000;
  }

  /** Takes one call from the caller's bucket; false when it is empty. */
  take(caller: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(caller);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxCallers) this.sweep(now);
      bucket = { tokens: this.settings.burst, at: now };
      this.buckets.set(caller, bucket);
    } else {
      bucket.tokens = Math.min(this.settings.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.settings.perSecond);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** How many callers have a bucket (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets that have refilled; if every caller is still busy, the first-seen half goes (they restart full). */
  private sweep(now: number): void {
    const refillMs = (this.settings.burst / this.settings.perSecond) * 1000;
    for (const [caller, bucket] of this.buckets) {
      if (now - bucket.at >= refillMs) this.buckets.delete(caller);
    }
    if (this.buckets.size < this.maxCallers) return;
    let drop = Math.ceil(this.buckets.size / 2);
    for (const caller of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(caller);
    }
  }
}
