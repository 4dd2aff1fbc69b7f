// The shape check of admin steps (`/admin/transact` body `steps`), as Instant's admin model
// checks them before anything else (instant.admin.model `->tx-steps!`): a clearly invalid entity
// id first (`Invalid entity ID …`, `in: [step, 2]`), else the first spec problem as
// `{expected, in}`.
import { validationError } from './errors.ts';
import { isUuid } from './tx-steps.ts';

const EID_OPS = new Set(['create', 'update', 'merge', 'link', 'unlink', 'delete', 'ruleParams']);
const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isLookupRef = (v: unknown) =>
  isMap(v) ||
  (typeof v === 'string' && v.startsWith('lookup__')) ||
  (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string');
const isEid = (v: unknown) => isUuid(v) || isLookupRef(v);
// upstream's invalid-eid?: not a UUID, an encoded lookup, a list or a map
const clearlyInvalid = (v: unknown) =>
  !(isUuid(v) || isMap(v) || Array.isArray(v) || (typeof v === 'string' && v.startsWith('lookup__')));

/** Where a step breaks the spec, or undefined. */
function problem(step: unknown): { expected: string; in: (number | string)[] } | undefined {
  if (!Array.isArray(step) || typeof step[0] !== 'string') return { expected: 'vector?', in: [] };
  const [action, a1, a2, a3] = step as unknown[];
  switch (action) {
    case 'add-attr':
    case 'update-attr':
      return isMap(a1) ? undefined : { expected: 'map?', in: [1] };
    case 'delete-attr':
      return isUuid(a1) ? undefined : { expected: 'coercible-uuid?', in: [1] };
    default:
      if (!EID_OPS.has(String(action))) return undefined; // named by the conversion's "Unsupported action"
      if (typeof a1 !== 'string') return { expected: 'string?', in: [1] };
      if (!isEid(a2)) return { expected: 'lookup?', in: [2] };
      if (action === 'delete') return undefined;
      if (!isMap(a3)) return { expected: 'map?', in: [3] };
      if (action === 'link' || action === 'unlink') {
        for (const [label, v] of Object.entries(a3)) {
          const ok = isEid(v) || (Array.isArray(v) && v.every(isEid));
          if (!ok) return { expected: 'link-value?', in: [3, label] };
        }
      }
      return undefined;
  }
}

export function checkAdminStepShapes(steps: unknown[]) {
  steps.forEach((step, idx) => {
    if (Array.isArray(step) && step.length >= 3 && EID_OPS.has(step[0]) && clearlyInvalid(step[2])) {
      const shown = typeof step[2] === 'string' ? step[2] : JSON.stringify(step[2]);
      throw validationError('steps', steps, [
        { message: `Invalid entity ID '${shown}'. Entity IDs must be UUIDs or lookup references.`, in: [idx, 2] },
      ]);
    }
  });
  steps.forEach((step, idx) => {
    const p = problem(step);
    if (p) throw validationError('steps', steps, [{ expected: p.expected, in: [idx, ...p.in] }]);
  });
}
