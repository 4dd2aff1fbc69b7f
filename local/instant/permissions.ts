// Permission rules (instant.perms.ts) evaluated as CEL, with the lookup order of Instant's server:
//   [etype allow action] -> [etype allow $default] -> [$default allow action]
//   -> [$default allow $default] -> built-in fallback for system namespaces ($users, $files)
// No rule at all means allowed, as on the real server. `fields` rules hide single fields;
// `link`/`unlink` rules guard links; `attrs.allow.create` guards new attributes.
// CEL comes from @marcbachmann/cel-js; Instant's extras (`data.ref`, `auth.ref`, `bind`) are added here.
import { Environment } from '@marcbachmann/cel-js';
import type { AttrCatalog } from './attrs.ts';
import { InstantLocalError } from './errors.ts';
import type { Entity, TripleStore } from './triple-store.ts';

export type RuleSet = Record<
  string,
  {
    allow?: Record<string, string | boolean | Record<string, string | boolean>>;
    fields?: Record<string, string | boolean>;
    bind?: string[] | Record<string, string>;
  }
>;

export type AuthUser = { id: string; email?: string | null; [k: string]: unknown } | null;

/** A compiled rule; `rule` is what errors name: `[etype, action]` as asked, whichever path answered. */
export type Program = {
  code: string;
  path: string[];
  rule?: [string, string];
  run: (vars: Record<string, unknown>) => unknown;
};

export type EvalVars = {
  data?: Entity | Record<string, unknown> | null;
  newData?: Record<string, unknown> | null;
  linkedData?: Entity | Record<string, unknown> | null;
  actions?: Record<string, string>;
  ruleParams?: Record<string, unknown>;
  /** `request.modifiedFields`: the labels a transaction writes on this entity (write rules only). */
  modifiedFields?: string[];
  /** Where the request came from: `request.origin` and `request.ip` ("" when unknown, as Instant's proto). */
  request?: RequestInfo;
  /** Admin HTTP callers see CEL's own error text; others "You may have a typo" (as Instant). */
  showCelErrors?: boolean;
};

export type RequestInfo = { origin?: string | null; ip?: string | null };

const USERS_FALLBACK = 'auth.id == data.id || (data.linkedPrimaryUser != null && auth.id == data.linkedPrimaryUser)';

/** Objects CEL sees: a missing key reads as null, as in Instant's CelMap. */
function celMap(o: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(o, {
    has: () => true,
    get: (t, k) => (typeof k === 'string' ? (k in t ? t[k] : null) : (t as any)[k]),
    getOwnPropertyDescriptor: (t, k) =>
      Object.getOwnPropertyDescriptor(t, k) ?? { value: null, writable: false, enumerable: false, configurable: true },
  });
}

export class Permissions {
  private readonly env: Environment;
  private readonly cache = new Map<string, Program | null>();
  /** Which entity a CEL map stands for, so that `.ref()` can follow its links. */
  private readonly origins = new WeakMap<object, { etype: string; id: string }>();

  constructor(
    readonly rules: RuleSet,
    private readonly catalog: AttrCatalog,
    private readonly store: TripleStore,
  ) {
    this.env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false })
      .registerFunction({
        name: 'ref',
        receiverType: 'map',
        returnType: 'list',
        params: [{ name: 'path', type: 'string' }],
        handler: (m: object, path: string) => this.ref(m, path),
      })
      // Instant's extra overloads: a stored number is a date in epoch milliseconds, and
      // `t.getTime()` answers milliseconds. (`timestamp(int)` stays cel's seconds: see notes/cel.md.)
      .registerFunction('timestamp(double): google.protobuf.Timestamp', (ms: number) => new Date(ms))
      .registerFunction('google.protobuf.Timestamp.getTime(): int', (t: Date) => BigInt(t.getTime()));
  }

  /** The program for an action on an etype, or null when no rule applies (allowed). */
  program(etype: string, action: string): Program | null {
    const key = `${etype}\u0000${action}`;
    if (!this.cache.has(key)) {
      const paths = [
        [etype, 'allow', action],
        [etype, 'allow', '$default'],
        ['$default', 'allow', action],
        ['$default', 'allow', '$default'],
      ];
      const found = paths.map((p) => this.compile(etype, p)).find((p) => p !== null) ?? this.fallback(etype, action);
      this.cache.set(key, found && { ...found, rule: [etype, action] });
    }
    return this.cache.get(key)!;
  }

  fieldProgram(etype: string, field: string): Program | null {
    return this.cached(`${etype}\u0000fields\u0000${field}`, () => this.compile(etype, [etype, 'fields', field]));
  }

  linkProgram(etype: string, label: string, action: 'link' | 'unlink'): Program | null {
    return this.cached(`${etype}\u0000${action}\u0000${label}`, () =>
      withRule(
        this.compile(etype, [etype, 'allow', action, label]) ??
          this.compile(etype, [etype, 'allow', action, '$default']),
        etype,
        action,
      ),
    );
  }

  hasFieldRules(etype: string): boolean {
    return Boolean(this.rules[etype]?.fields && Object.keys(this.rules[etype].fields!).length);
  }

  /**
   * Runs a program. Passing is Clojure truthiness (anything but null/false), as Instant's
   * `(boolean result)`; a rule that fails to evaluate raises `permission-evaluation-failed`
   * for reads and writes alike (Instant never turns it into a silent deny).
   */
  check(program: Program | null, auth: AuthUser, vars: EvalVars): boolean {
    if (!program || program.code === 'true') return true;
    if (program.code === 'false') return false;
    const ctx: Record<string, unknown> = {
      auth: this.authMap(auth),
      ruleParams: celMap({ ...(vars.ruleParams ?? {}) }),
      // A message, not a map: an unknown field is an error, missing strings are "".
      request: {
        modifiedFields: [...(vars.modifiedFields ?? [])],
        time: new Date(),
        ip: vars.request?.ip ?? '',
        origin: vars.request?.origin ?? '',
      },
      data: this.asMap(vars.data ?? null),
    };
    if ('newData' in vars) ctx.newData = this.asMap(vars.newData ?? null);
    if ('linkedData' in vars) ctx.linkedData = this.asMap(vars.linkedData ?? null);
    if (vars.actions) ctx.actions = celMap(vars.actions);
    let result: unknown;
    try {
      result = program.run(ctx);
    } catch (e) {
      throw evaluationFailed(program, e as Error, Boolean(vars.showCelErrors));
    }
    return result !== null && result !== undefined && result !== false;
  }

  entityMap(e: Entity): Record<string, unknown> {
    const m = celMap(this.store.toObject(e));
    this.origins.set(m, { etype: e.etype, id: e.id });
    return m;
  }

  private asMap(d: Entity | Record<string, unknown> | null): unknown {
    if (d === null) return null;
    if (isEntity(d)) return this.entityMap(d);
    const m = celMap({ ...d });
    if (typeof d.id === 'string' && typeof d.__etype === 'string') this.origins.set(m, { etype: d.__etype, id: d.id });
    return m;
  }

  private authMap(auth: AuthUser) {
    const users = auth ? this.store.get('$users', auth.id) : undefined;
    const m = celMap(users ? this.store.toObject(users) : auth ? { ...auth } : {});
    if (auth) this.origins.set(m, { etype: '$users', id: auth.id });
    return m;
  }

  /** `data.ref('posts.author.email')` / `auth.ref('$user.posts.id')`: values along a link path. */
  private ref(m: object, path: string): unknown[] {
    const origin = this.origins.get(m);
    if (!origin) return [];
    const segments = path.split('.');
    if (origin.etype === '$users' && segments[0] === '$user') segments.shift();
    let frontier: Entity[] = [this.store.get(origin.etype, origin.id)].filter((e): e is Entity => Boolean(e));
    for (let i = 0; i < segments.length; i++) {
      const label = segments[i];
      const last = i === segments.length - 1;
      const next: Entity[] = [];
      const values: unknown[] = [];
      for (const e of frontier) {
        const found = this.catalog.find(e.etype, label);
        if (!found) continue;
        const { attr, reverse } = found;
        if (attr['value-type'] === 'blob') {
          if (last) {
            const v = label === 'id' ? e.id : this.store.value(e, label);
            if (v !== undefined && v !== null) values.push(v);
          }
          continue;
        }
        const targetEtype = reverse ? attr['forward-identity'][1] : attr['reverse-identity']![1];
        for (const id of this.store.linked(attr, e.id, reverse).keys()) {
          if (last) values.push(id);
          else {
            const t = this.store.get(targetEtype, id);
            if (t) next.push(t);
          }
        }
      }
      if (last) return values;
      frontier = next;
    }
    return [];
  }

  private cached(key: string, make: () => Program | null): Program | null {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key)!;
  }

  private compile(etype: string, path: string[]): Program | null {
    let node: unknown = this.rules;
    for (const p of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
    if (node === undefined || node === null || typeof node === 'object') return null;
    const code = String(node);
    return this.build(code, path, this.binds(etype));
  }

  private binds(etype: string): [string, string][] {
    const norm = (b: string[] | Record<string, string> | undefined): [string, string][] => {
      if (!b) return [];
      if (Array.isArray(b)) {
        const pairs: [string, string][] = [];
        for (let i = 0; i + 1 < b.length; i += 2) pairs.push([b[i], b[i + 1]]);
        return pairs;
      }
      return Object.entries(b);
    };
    return [...norm(this.rules.$default?.bind), ...norm(this.rules[etype]?.bind)];
  }

  /** Binds become lazily evaluated variables; a cycle is an error, as with Instant's cel.bind. */
  private build(code: string, path: string[], binds: [string, string][]): Program {
    const parse = (src: string, where: string[]) => {
      try {
        return this.env.parse(src);
      } catch (e) {
        throw new InstantLocalError('validation-failed', `Validation failed for permission: ${(e as Error).message}`, {
          'data-type': 'permission',
          input: where,
          errors: [{ message: (e as Error).message }],
        });
      }
    };
    const main = parse(code, path);
    const bound = binds.map(([name, src]) => [name, parse(src, [...path, 'bind', name])] as const);
    return {
      code,
      path,
      run: (vars) => {
        const ctx: Record<string, unknown> = { ...vars };
        const evaluating = new Set<string>();
        for (const [name, fn] of bound) {
          let done = false;
          let value: unknown;
          Object.defineProperty(ctx, name, {
            enumerable: true,
            get: () => {
              if (done) return value;
              if (evaluating.has(name)) throw new Error(`bind cycle through ${name}`);
              evaluating.add(name);
              value = fn(ctx);
              done = true;
              return value;
            },
          });
        }
        return main(ctx);
      },
    };
  }

  private fallback(etype: string, action: string): Program | null {
    if (etype === '$users') {
      if (action === 'create') return this.build('true', [etype, 'fallback', action], []);
      if (action === 'view' || action === 'update') return this.build(USERS_FALLBACK, [etype, 'fallback', action], []);
    }
    if (etype.startsWith('$')) return this.build('false', [etype, 'fallback', action], []);
    return null;
  }
}

function withRule(p: Program | null, etype: string, action: string): Program | null {
  return p && { ...p, rule: [etype, action] };
}

/** Instant's `permission-evaluation-failed`, naming the rule as `[etype, action]`. */
function evaluationFailed(program: Program, e: Error, showCelErrors: boolean): InstantLocalError {
  const [etype, kind, action] = program.path;
  const rule = program.rule ?? [etype, action ?? kind];
  const detail = (e.message ?? '').split('\n')[0].trim();
  const cause = showCelErrors && detail ? detail : 'You may have a typo';
  const message =
    `Could not evaluate permission rule for \`${rule.join('.')}\`. ${cause}. ` +
    'Debug this in the sandbox and then update your permission rules.';
  return new InstantLocalError('permission-evaluation-failed', message, {
    rule,
    error: { type: celErrorCode(detail), message, hint: cause },
  });
}

/** cel-java's error code names for what cel-js reports. */
function celErrorCode(detail: string): string {
  if (/no such overload/i.test(detail)) return 'OVERLOAD_NOT_FOUND';
  if (/no such key|unknown variable|not found/i.test(detail)) return 'ATTRIBUTE_NOT_FOUND';
  if (/division by zero|modulus by zero/i.test(detail)) return 'DIVIDE_BY_ZERO';
  return 'INTERNAL_ERROR';
}

function isEntity(d: unknown): d is Entity {
  return Boolean(d && typeof d === 'object' && 'fields' in d && (d as Entity).fields instanceof Map);
}
