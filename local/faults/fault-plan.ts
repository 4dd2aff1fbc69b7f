// Deterministic fault injection shared by the stand-ins. Whether a request is faulted depends
// only on (seed, request identity, attempt), never on arrival order, so one seed injects the
// same faults into the same requests however a run interleaves. Off until configured.
import { createHash } from 'node:crypto';
import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** One rule: the paths it covers (prefix, `*` for all) and a rate per fault kind. */
export function faultConfigSchema<K extends string>(kinds: readonly [K, ...K[]]) {
  const rates = z.partialRecord(z.enum(kinds), rate);
  return z.strictObject({
    seed: z.union([z.string(), z.number()]).optional(),
    rules: z
      .array(
        z.strictObject({
          path: z.string().min(1).default('*'),
          /** Only requests whose body contains this text (e.g. an entity name). */
          match: z.string().min(1).optional(),
          /** At most this many faults from this rule (which ones then depends on order). */
          max: z.number().int().min(0).optional(),
          rates,
        }),
      )
      .max(100)
      .optional(),
    /** Extra latency added to every matched request, in ms. */
    latency_ms: z.number().int().min(0).max(600_000).optional(),
    /** How long a `hang` (or `timeout`) holds the request before dropping it, in ms. */
    hang_ms: z.number().int().min(0).max(3_600_000).optional(),
  });
}

export type FaultConfig<K extends string> = {
  seed?: string | number;
  rules?: { path: string; match?: string; max?: number; rates: Partial<Record<K, number>> }[];
  latency_ms?: number;
  hang_ms?: number;
};

/** A number in [0, 1) from the hash of (seed, identity, attempt). */
export function faultDraw(seed: string | number, identity: string, attempt: number): number {
  const h = createHash('sha256').update(`${seed}\u0000${identity}\u0000${attempt}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

/** Picks a kind for a draw: kinds are tried in the order given, each taking its rate's share of [0, 1). */
export function pickFault<K extends string>(
  draw: number,
  rates: Partial<Record<K, number>>,
  kinds: readonly K[],
): K | null {
  let edge = 0;
  for (const kind of kinds) {
    edge += rates[kind] ?? 0;
    if (draw < edge) return kind;
  }
  return null;
}

export class FaultPlan<K extends string> {
  private config: Required<FaultConfig<K>>;
  private attempts = new Map<string, number>();
  private counts = new Map<K, number>();
  private ruleCounts = new Map<number, number>();

  constructor(
    readonly kinds: readonly [K, ...K[]],
    private defaults: { hangMs: number },
    initial?: FaultConfig<K>,
  ) {
    this.config = this.normalise(initial ?? {});
  }

  get schema() {
    return faultConfigSchema(this.kinds);
  }

  /** Replaces the configuration; attempt counters and tallies start again. */
  configure(config: FaultConfig<K>): void {
    this.config = this.normalise(config);
    this.attempts.clear();
    this.counts.clear();
    this.ruleCounts.clear();
  }

  off(): void {
    this.configure({});
  }

  get latencyMs(): number {
    return this.config.latency_ms;
  }

  get hangMs(): number {
    return this.config.hang_ms;
  }

  /** The fault for this request, if any; every call counts as one more attempt of `identity`. */
  choose(path: string, identity: string, body = ''): K | null {
    const index = this.config.rules.findIndex(
      (r) => (r.path === '*' || path.startsWith(r.path)) && (!r.match || body.includes(r.match)),
    );
    if (index < 0) return null;
    const rule = this.config.rules[index];
    const attempt = (this.attempts.get(identity) ?? 0) + 1;
    this.attempts.set(identity, attempt);
    if (rule.max !== undefined && (this.ruleCounts.get(index) ?? 0) >= rule.max) return null;
    const kind = pickFault(faultDraw(this.config.seed, identity, attempt), rule.rates, this.kinds);
    if (kind) {
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
      this.ruleCounts.set(index, (this.ruleCounts.get(index) ?? 0) + 1);
    }
    return kind;
  }

  /** True when any rule or latency is set. */
  get active(): boolean {
    return this.config.rules.length > 0 || this.config.latency_ms > 0;
  }

  /** Configuration and what has been injected so far, by kind. */
  snapshot(): FaultConfig<K> & { injected: Partial<Record<K, number>> } {
    return { ...this.config, injected: Object.fromEntries(this.counts) as Partial<Record<K, number>> };
  }

  private normalise(c: FaultConfig<K>): Required<FaultConfig<K>> {
    return {
      seed: c.seed ?? 0,
      rules: c.rules ?? [],
      latency_ms: c.latency_ms ?? 0,
      hang_ms: c.hang_ms ?? this.defaults.hangMs,
    };
  }
}

/** A body's identity when a request carries no idempotency key. */
export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** Waits `ms` on a timer that does not keep the process alive. */
export function pause(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
