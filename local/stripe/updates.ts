import { isDeepStrictEqual } from 'node:util';

/**
 * Applies changes to a stored object and returns the previous values of the
 * top-level fields that changed, for an event's `data.previous_attributes`.
 */
export function applyChanges<T extends object>(obj: T, changes: Partial<T>): Record<string, unknown> | null {
  const previous: Record<string, unknown> = {};
  const target = obj as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (isDeepStrictEqual(target[key], value)) continue;
    previous[key] = structuredClone(target[key]);
    target[key] = value;
  }
  return Object.keys(previous).length > 0 ? previous : null;
}
