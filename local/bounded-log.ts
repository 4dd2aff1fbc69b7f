/**
 * The newest `limit` entries of an append-only log, oldest first. Appends are amortized O(1):
 * the oldest are dropped in one splice once twice the limit is held, not one shift per append.
 */
export class BoundedLog<T> {
  private items: T[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`BoundedLog limit must be a positive integer`);
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length >= 2 * this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  /** How many entries are readable (at most `limit`). */
  get length(): number {
    return Math.min(this.items.length, this.limit);
  }

  /** The kept entries, oldest first (a copy). */
  toArray(): T[] {
    return this.items.slice(-this.limit);
  }

  /** The newest kept entry that matches. */
  findLast(match: (item: T) => boolean): T | undefined {
    const items = this.items;
    for (let i = items.length - 1; i >= items.length - this.length; i--) if (match(items[i])) return items[i];
    return undefined;
  }

  clear(): void {
    this.items = [];
  }
}
