// Permission rules checked when they are loaded, as Instant's server checks them before it stores
// them (instant.model.rule/validation-errors): bind shape, `$users` and system namespaces, every
// `allow` rule for view/create/update/delete and every field rule type-checked with the variables
// its action has (no `newData` in view/delete), binds inlined, `auth.ref` paths and `rateLimit`
// names. Errors are `{message, in}` in upstream's order; `assertValidRules` throws them in the
// `validation-failed` shape the server sends (`hint: {data-type: 'rule', input, errors}`).
import { Environment } from '@marcbachmann/cel-js';
import { InstantLocalError } from './errors.ts';

export type RuleError = { message: string; in: (string | number)[] };

type Node = { op: string; args: unknown };

const ACTIONS = ['view', 'create', 'update', 'delete'] as const;
// System namespaces that take rules; any other `$…` namespace is reserved.
const RULED_SYSTEM = new Set(['$users', '$files', '$default', '$streams', '$rateLimits']);

function environment(withNewData: boolean): Environment {
  const env = new Environment({ homogeneousAggregateLiterals: false });
  for (const v of ['data', 'auth', 'ruleParams', 'request', 'rateLimit']) env.registerVariable(v, 'map');
  if (withNewData) env.registerVariable('newData', 'map');
  env.registerFunction({
    name: 'ref',
    receiverType: 'map',
    returnType: 'list',
    params: [{ name: 'path', type: 'string' }],
    handler: () => [],
  });
  // Instant's own additions to CEL: `timestamp.getTime()` (epoch millis) and `rateLimit.<name>.limit(key[, tokens])`.
  env.registerFunction({ name: 'getTime', receiverType: 'dyn', returnType: 'int', params: [], handler: () => 0n });
  env.registerFunction({
    name: 'limit',
    receiverType: 'dyn',
    returnType: 'bool',
    params: [{ name: 'key', type: 'dyn' }],
    handler: () => true,
  });
  env.registerFunction({
    name: 'limit',
    receiverType: 'dyn',
    returnType: 'bool',
    params: [
      { name: 'key', type: 'dyn' },
      { name: 'tokens', type: 'int' },
    ],
    handler: () => true,
  });
  return env;
}

// Upstream compiles view/delete rules without `newData`, create/update rules with it.
const viewDelete = environment(false);
const createUpdate = environment(true);
const envFor = (action: string) => (action === 'view' || action === 'delete' ? viewDelete : createUpdate);

class CelIssue extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function getIn(o: unknown, path: string[]): unknown {
  let node = o;
  for (const p of path) node = isObject(node) ? node[p] : undefined;
  return node;
}

function normalizeBind(bind: unknown): unknown[] {
  if (Array.isArray(bind)) return bind;
  if (isObject(bind)) return Object.entries(bind).flat();
  return [];
}

/** Every error upstream would report for these rules (empty when they are valid). */
export function ruleValidationErrors(rules: unknown): RuleError[] {
  if (!isObject(rules)) return [{ message: 'Rules must be an object of namespaces', in: [] }];
  return [...bindErrors(rules), ...allowErrors(rules), ...fieldErrors(rules), ...rateLimitErrors(rules)];
}

/** Throws Instant's `validation-failed` error for invalid rules. */
export function assertValidRules(rules: unknown): void {
  const errors = ruleValidationErrors(rules);
  if (!errors.length) return;
  throw new InstantLocalError(
    'validation-failed',
    `Validation failed for rule: ${errors.map((e) => e.message).join(', ')}`,
    {
      'data-type': 'rule',
      input: rules,
      errors,
    },
  );
}

function bindErrors(rules: Record<string, unknown>): RuleError[] {
  const errors: RuleError[] = [];
  for (const [etype, rule] of Object.entries(rules)) {
    const bind = normalizeBind(getIn(rule, ['bind']));
    if (bind.length % 2) {
      errors.push({ message: 'bind should have an even number of elements', in: [etype, 'bind'] });
      continue;
    }
    const seen = new Set<unknown>();
    for (let i = 0; i < bind.length; i += 2) {
      if (seen.has(bind[i])) {
        errors.push({
          message: 'bind should only contain a given variable name once',
          in: [etype, 'bind', String(bind[i])],
        });
        break;
      }
      seen.add(bind[i]);
    }
  }
  return errors;
}

function allowErrors(rules: Record<string, unknown>): RuleError[] {
  const errors: RuleError[] = [];
  for (const etype of Object.keys(rules)) {
    if (etype === '$rateLimits') continue;
    for (const action of ACTIONS) {
      const path = [etype, 'allow', action];
      if (etype === '$users' && action === 'delete') {
        const rule = getIn(rules, path);
        if (rule !== undefined && rule !== null && rule !== 'false') {
          errors.push({
            message:
              'The $users namespace doesn\'t support permissions for delete. Set `$users.allow.delete` to `"false"`.',
            in: path,
          });
        }
        continue;
      }
      if (etype.startsWith('$') && !RULED_SYSTEM.has(etype)) {
        errors.push({
          message: `The ${etype} namespace is a reserved internal namespace that does not yet support rules.`,
          in: path,
        });
        continue;
      }
      errors.push(...exprErrors(rules, etype, action, path));
    }
  }
  return errors;
}

function fieldErrors(rules: Record<string, unknown>): RuleError[] {
  const errors: RuleError[] = [];
  for (const etype of Object.keys(rules)) {
    const fields = getIn(rules, [etype, 'fields']);
    if (!isObject(fields)) continue;
    for (const field of Object.keys(fields)) {
      if (field === 'id') {
        errors.push({
          message: `You cannot set field rules for \`id\`. Use ${etype} -> allow -> view instead`,
          in: [etype, 'fields'],
        });
      } else errors.push(...exprErrors(rules, etype, 'view', [etype, 'fields', field]));
    }
  }
  return errors;
}

function rateLimitErrors(rules: Record<string, unknown>): RuleError[] {
  const rl = rules.$rateLimits;
  if (rl === undefined || rl === null) return [];
  if (!isObject(rl)) return [{ message: '$rateLimits must be an object', in: ['$rateLimits'] }];
  return [];
}

/** Type-check one rule with its binds inlined as `cel.bind(…)`, as upstream compiles it. */
function exprErrors(rules: Record<string, unknown>, etype: string, action: string, path: string[]): RuleError[] {
  const raw = getIn(rules, path);
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'string' && typeof raw !== 'boolean')
    return [{ message: 'There was an unexpected error evaluating the rules', in: path }];
  try {
    const env = envFor(action);
    const code = withBinds(rules, etype, String(raw));
    const checked = env.check(code);
    if (!checked.valid) throw new CelIssue(celMessage(checked.error));
    const ast = env.parse(code).ast as Node;
    return astErrors(rules, ast).map((message) => ({ message, in: path }));
  } catch (e) {
    if (e instanceof CelIssue) return [{ message: e.message, in: path }];
    return [{ message: celMessage(e), in: path }];
  }
}

function celMessage(e: unknown): string {
  const err = e as { name?: string; code?: string; summary?: string; message?: string; constructor?: { name: string } };
  const summary = err.summary ?? String(err.message ?? e).split('\n')[0];
  // Worded as Instant's CEL compiler words it where the two say the same thing.
  const unknown = /^Unknown variable: (.+)$/.exec(summary);
  if (unknown) return `undeclared reference to '${unknown[1]}' (in container '')`;
  const not = /^no such overload: !(\w+)$/.exec(summary);
  if (not) return `found no matching overload for '!_' applied to '(${not[1]})' (candidates: (bool))`;
  if (err.constructor?.name === 'ParseError') return `Syntax error: ${summary}`;
  return summary;
}

function parse(code: string): Node {
  try {
    return viewDelete.parse(code).ast as Node;
  } catch (e) {
    throw new CelIssue(celMessage(e));
  }
}

/** Identifiers an expression names (what upstream's `ident-usages` collects). */
function idents(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => idents(n, out));
  else if (isObject(node) && typeof node.op === 'string') {
    if (node.op === 'id' && typeof node.args === 'string') out.add(node.args);
    else idents(node.args, out);
  }
  return out;
}

/**
 * The code validation type-checks for one rule: the binds it uses inlined as `cel.bind(…)`,
 * dependencies outermost, exactly as upstream's `with-binds` writes it. Throws on a bind cycle.
 */
export function inlinedRule(rules: Record<string, unknown>, etype: string, expr: string | boolean): string {
  try {
    return withBinds(rules, etype, String(expr));
  } catch (e) {
    throw e instanceof CelIssue ? new InstantLocalError('validation-failed', e.message) : e;
  }
}

/** Inlines the binds a rule uses, dependencies first; a cycle is upstream's error. */
function withBinds(rules: Record<string, unknown>, etype: string, expr: string): string {
  const binds = [...normalizeBind(getIn(rules, ['$default', 'bind'])), ...normalizeBind(getIn(rules, [etype, 'bind']))];
  if (binds.length % 2) throw new CelIssue('bind should have an even number of elements');
  if (!binds.length) return expr;
  const bindMap = new Map<string, string>();
  for (let i = 0; i < binds.length; i += 2) bindMap.set(String(binds[i]), String(binds[i + 1]));
  const usedBy = (src: string) => [...idents(parse(src))].filter((n) => bindMap.has(n));

  // Breadth-first from the rule, as upstream walks it: which binds are used, and what each uses.
  const used = new Set<string>();
  const references = new Map<string, string[]>();
  const queue: { source: string | null; src: string }[] = [{ source: null, src: expr }];
  while (queue.length) {
    const { source, src } = queue.shift()!;
    const names = usedBy(src);
    if (source !== null) references.set(source, names);
    for (const n of names) {
      if (used.has(n)) continue;
      used.add(n);
      queue.push({ source: n, src: bindMap.get(n)! });
    }
  }

  // Depth-first topological sort; visits in the order Clojure's hash sets iterate, so a cycle is
  // reported from the same variable as upstream reports it.
  const seen = new Set<string>();
  const visiting = new Set<string>();
  const order: string[] = [];
  const visit = (path: string[], v: string) => {
    if (seen.has(v)) return;
    if (visiting.has(v)) throw new CelIssue(`The binds have a cyclic dependency ${path.join(' -> ')}`);
    visiting.add(v);
    for (const r of clojureSetOrder(references.get(v) ?? [])) visit([...path, r], r);
    seen.add(v);
    order.unshift(v);
  };
  for (const v of clojureSetOrder([...used])) visit([v], v);
  return order.reduce((body, name) => `cel.bind(${name}, ${bindMap.get(name)}, ${body})`, expr);
}

function astErrors(rules: Record<string, unknown>, ast: Node): string[] {
  const errors: string[] = [];
  const limits = isObject(rules.$rateLimits) ? new Set(Object.keys(rules.$rateLimits)) : new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObject(node) || typeof node.op !== 'string') return;
    const n = node as Node;
    if (n.op === 'rcall') {
      const [fn, receiver, args] = n.args as [string, Node, Node[]];
      if (fn === 'ref' && receiver.op === 'id' && receiver.args === 'auth') {
        const arg = args[0];
        if (!(arg?.op === 'value' && typeof arg.args === 'string' && arg.args.startsWith('$user.'))) {
          errors.push('auth.ref arg must start with `$user.`');
        }
      }
    }
    // `rateLimit.name` / `rateLimit['name']` must name a bucket defined in `$rateLimits`.
    if ((n.op === '.' || n.op === '[]') && Array.isArray(n.args)) {
      const [target, key] = n.args as [Node, unknown];
      if (target?.op === 'id' && target.args === 'rateLimit') {
        const name =
          n.op === '.' ? key : isObject(key) && (key as Node).op === 'value' ? (key as Node).args : undefined;
        if (typeof name === 'string' && !limits.has(name)) {
          errors.push(`\`${name}\` is not a valid rate limit config. It should be defined in the \`$rateLimits\` key.`);
        }
      }
    }
    walk(n.args);
  };
  walk(ast);
  return errors;
}

// Clojure's persistent hash sets iterate by the Murmur3 hash of a string's Java hashCode, five
// bits at a time from the lowest; sorting by that gives their order.
function clojureSetOrder(names: string[]): string[] {
  const key = (s: string) => {
    const h = clojureHash(s);
    const chunks: number[] = [];
    for (let shift = 0; shift < 32; shift += 5) chunks.push((h >>> shift) & 31);
    return chunks;
  };
  return [...names].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
}

function clojureHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  if (h === 0) return 0;
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  let k = Math.imul(rotl(Math.imul(h, 0xcc9e2d51), 15), 0x1b873593);
  k = (Math.imul(rotl(k, 13), 5) + 0xe6546b64) | 0;
  k ^= 4;
  k ^= k >>> 16;
  k = Math.imul(k, 0x85ebca6b);
  k ^= k >>> 13;
  k = Math.imul(k, 0xc2b2ae35);
  k ^= k >>> 16;
  return k >>> 0;
}
