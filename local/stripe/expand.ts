import { invalidRequest } from './errors.ts';
import type { LocalAccount } from './account.ts';

/** Fields that are not ids but computed on demand, e.g. a session's `line_items`. */
export type Expanders = Record<
  string,
  Record<string, (obj: Record<string, unknown>, account: LocalAccount) => unknown>
>;

/**
 * Applies `expand[]` paths (`customer`, `payment_intent.latest_charge`,
 * `data.customer` on lists) to a response that is already a private copy.
 * Like Stripe, an unknown path or a non-expandable field is an error.
 */
export function applyExpand(
  root: Record<string, unknown>,
  paths: string[],
  account: LocalAccount,
  expanders: Expanders,
): void {
  for (const path of paths) {
    if (path.split('.').length > 4) {
      throw invalidRequest(`You cannot expand more than 4 levels of a property. Property: ${path}`, 'expand');
    }
    expandPath(root, path.split('.'), path, account, expanders);
  }
}

function expandPath(
  node: Record<string, unknown>,
  segments: string[],
  full: string,
  account: LocalAccount,
  expanders: Expanders,
): void {
  const [field, ...rest] = segments;
  const kind = typeof node.object === 'string' ? node.object : '';
  const computed = expanders[kind]?.[field];
  let value = node[field];
  if (computed && (value === undefined || value === null)) {
    value = computed(node, account);
    node[field] = value;
  } else if (typeof value === 'string') {
    const found = account.store.lookup(value);
    if (!found) {
      throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
    }
    value = structuredClone(found);
    node[field] = value;
  } else if (value === undefined) {
    throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
  }
  if (rest.length === 0 || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === 'object') expandPath(item as Record<string, unknown>, rest, full, account, expanders);
    }
  } else if (typeof value === 'object') {
    expandPath(value as Record<string, unknown>, rest, full, account, expanders);
  }
}
