// Deterministic fault injection shared by the stand-ins. Whether a request is faulted depends
// only on (seed, request identity, attempt), never on arrival order, so one seed injects the
// same faults into the same requests however a run interleaves. Off until configured.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BoundedLog } from '../bounded-log.ts';

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

/** One injected fault: its kind and the request it hit (identity and attempt). */
export type InjectedFault<K extends string> = { kind: K; identity: string; attempt: number };

/** How many injected faults a plan lists, the newest (its counts go on past it). */
export const FAULT_LOG_LIMIT = 10_000;

export class FaultPlan<K extends string> {
  private config: Required<FaultConfig<K>>;
  private attempts = new Map<string, number>();
  private counts = new Map<K, number>();
  private readonly log = new BoundedLog<InjectedFault<K>>(FAULT_LOG_LIMIT);
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
    this.log.clear();
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
      this.log.push({ kind, identity, attempt });
    }
    return kind;
  }

  /** True when any rule or latency is set. */
  get active(): boolean {
    return this.config.rules.length > 0 || this.config.latency_ms > 0;
  }

  /** Configuration and what has been injected so far: counts by kind, and each fault (the newest 10,000). */
  snapshot(): FaultConfig<K> & { injected: Partial<Record<K, number>>; faults: InjectedFault<K>[] } {
    return {
      ...this.config,
      injected: Object.fromEntries(this.counts) as Partial<Record<K, number>>,
      faults: this.log.toArray(),
    };
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

// Loopback origins carry the port the OS picked for this run.
const LOOPBACK = /\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+/g;

/** Request content as an identity: JSON with sorted keys and loopback ports taken out, so two runs of the same seeded work give the same text. */
export function stableText(value: unknown): string {
  const sorted = (_key: string, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v;
  return (JSON.stringify(value, sorted) ?? 'null').replace(LOOPBACK, '//loopback');
}

/** Random (v4) UUIDs differ every run by construction; an identity masks them. */
export function isRandomUuid(v: unknown): boolean {
  return typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(v);
}

/** `n` bytes from the hash of (seed, key): the stand-ins' ids, the same for the same seed and key. */
export function seededBytes(seed: string, key: string, n: number): Buffer {
  const out: Buffer[] = [];
  for (let block = 0; out.length * 64 < n; block++)
    out.push(createHash('sha512').update(`${seed}\u0000${key}\u0000${block}`).digest());
  return Buffer.concat(out).subarray(0, n);
}

/** A UUID from (seed, key): name-based (v5-shaped), or v4-shaped where a v4 is expected. */
export function seededUuid(seed: string, key: string, version: 4 | 5 = 5): string {
  const h = seededBytes(seed, key, 16);
  h[6] = (h[6] & 0x0f) | (version << 4);
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Waits `ms` on a timer that does not keep the process alive. */
export function pause(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
