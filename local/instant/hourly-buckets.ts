// Per-key token buckets refilled in full once an hour, counted from a key's first use: the shape
// of Instant's magic-code limits (bucket4j `refillIntervally(capacity, 1 hour)`, one bucket per
// app and email for sending codes and another for checking them).
const HOUR_MS = 60 * 60 * 1000;

export class HourlyBuckets {
  private readonly buckets = new Map<string, { start: number; used: number }>();

  constructor(readonly capacity: number) {}

  /** Takes one token for `key`; false when this hour's tokens are used up. */
  tryTake(key: string, now = Date.now()): boolean {
    if (this.buckets.size > 10_000) this.prune(now);
    let b = this.buckets.get(key);
    if (!b || now - b.start >= HOUR_MS) {
      // A fresh period: whole hours since the bucket began, as the interval refill counts them.
      const start = b ? b.start + Math.floor((now - b.start) / HOUR_MS) * HOUR_MS : now;
      b = { start, used: 0 };
      this.buckets.set(key, b);
    }
    if (b.used >= this.capacity) return false;
    b.used++;
    return true;
  }

  /** Forgets buckets idle for an hour or more (they would start full anyway). */
  private prune(now: number) {
    for (const [k, b] of this.buckets) if (now - b.start >= HOUR_MS) this.buckets.delete(k);
  }
}
