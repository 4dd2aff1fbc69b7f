import { invalidRequest } from './errors.ts';
import type { LocalAccount } from './account.ts';

/** Fields that are not ids but computed on demand, e.g. a session's `line_items`. */
export type Expanders = Record<
  string,
  Record<string, (obj: Record<string, unknown>, account: LocalAccount) => unknown>
>;

type Node = Record<string, unknown>;

/** A one-level copy: the objects it holds are still shared. */
function shallow<T>(value: T): T {
  return (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }) as T;
}

/**
 * Applies `expand[]` paths (`customer`, `payment_intent.latest_charge`,
 * `data.customer` on lists) and returns the answer. Like Stripe, an unknown path or a
 * non-expandable field is an error. Only the objects along an expanded path are copied (the
 * rest is shared with the store), so the answer must be serialized before the store changes.
 */
export function applyExpand(root: Node, paths: string[], account: LocalAccount, expanders: Expanders): Node {
  if (paths.length === 0) return root;
  const out = shallow(root);
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4) {
      throw invalidRequest(`You cannot expand more than 4 levels of a property. Property: ${path}`, 'expand');
    }
    expandAt(out, segments, 0, path, account, expanders);
  }
  return out;
}

/** Expands `segments[depth]` of `node`, a private copy, and goes on below it in copies of its own. */
function expandAt(
  node: Node,
  segments: string[],
  depth: number,
  full: string,
  account: LocalAccount,
  expanders: Expanders,
): void {
  const field = segments[depth];
  const kind = typeof node.object === 'string' ? node.object : '';
  const computed = expanders[kind]?.[field];
  let value = node[field];
  if (computed && (value === undefined || value === null)) {
    value = computed(node, account);
  } else if (typeof value === 'string') {
    value = account.store.lookup(value);
    if (!value) throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
  } else if (value === undefined) {
    throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
  }
  const last = depth === segments.length - 1;
  if (last || value === null || typeof value !== 'object') {
    node[field] = value;
    return;
  }
  const copy = shallow(value) as Node | unknown[];
  node[field] = copy;
  if (Array.isArray(copy)) {
    for (let i = 0; i < copy.length; i++) {
      const item = copy[i];
      if (item && typeof item === 'object') {
        const own = shallow(item) as Node;
        copy[i] = own;
        expandAt(own, segments, depth + 1, full, account, expanders);
      }
    }
  } else {
    expandAt(copy, segments, depth + 1, full, account, expanders);
  }
}
