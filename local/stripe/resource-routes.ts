// The update and list routes every resource shares, so each resource states only what differs:
// which params change which fields, and which params filter a list.
import type { z } from 'zod';
import type { EventRequest, LocalAccount } from './account.ts';
import { matchesRange, paginate } from './lists.ts';
import { mergeMetadata, parseParams, type MetadataInput } from './params.ts';
import type { Router } from './router.ts';
import type { StoredObject } from './store.ts';
import { applyChanges } from './updates.ts';

type Ctx = { account: LocalAccount; request: EventRequest };

/**
 * POST `<base>/:id`: parses the params with `schema`, applies the changes `changes` derives from
 * them (it may refuse, or act first, e.g. free a lookup key), and emits `event` (by default
 * `<kind>.updated`; null for none) with the previous values of what changed.
 */
export function updateRoute<T extends StoredObject, S extends z.ZodType>(
  router: Router,
  base: string,
  kind: string,
  schema: S,
  changes: (obj: T, p: z.infer<S>, ctx: Ctx) => Partial<T>,
  { event = `${kind}.updated`, changed }: { event?: string | null; changed?: (obj: T) => void } = {},
): void {
  router.post(`${base}/:id`, ({ account, params, path, request }) => {
    const obj = account.store.require<T>(kind, path.id, kind);
    const p = parseParams(schema, params);
    const previous = applyChanges(obj, changes(obj, p, { account, request }));
    if (previous) changed?.(obj);
    if (previous && event) account.emit(event, obj, { previous_attributes: previous, request });
    return obj;
  });
}

/**
 * GET `base`: the stored objects of `kind` (newest first) that `keep` accepts given the parsed
 * params and that fall in the `created` range (unless `created: false`), one page of them.
 */
export function listRoute<T extends StoredObject, S extends z.ZodType>(
  router: Router,
  base: string,
  kind: string,
  schema: S,
  keep: (obj: T, p: z.infer<S>) => boolean = () => true,
  { created = true }: { created?: boolean } = {},
): void {
  router.get(base, ({ account, params, url }) => {
    const p = parseParams(schema, params);
    const items = account.store
      .all<T>(kind)
      .filter(
        (x) =>
          keep(x, p) && (!created || matchesRange((x as { created?: number }).created ?? 0, params.created, 'created')),
      );
    return paginate(items, params, url);
  });
}

/** A list filter: true when the param was not given, else whether the object's value equals it. */
export function given<V>(wanted: V | undefined, actual: unknown): boolean {
  return wanted === undefined || actual === wanted;
}

/** The metadata an update asks for, merged as Stripe merges it; undefined leaves it alone. */
export function metadataChange(
  current: Record<string, string> | null | undefined,
  update: MetadataInput | undefined,
): Record<string, string> | undefined {
  return update === undefined ? undefined : mergeMetadata(current ?? {}, update);
}

/** GET `<base>/:id`: the stored object, or Stripe's resource_missing error. */
export function retrieveRoute(router: Router, base: string, kind: string): void {
  router.get(`${base}/:id`, ({ account, path }) => account.store.require(kind, path.id, kind));
}

/**
 * DELETE `<base>/:id`: `refuse` may throw first (an object still in use); then the object is
 * removed and `<kind>.deleted` emitted (unless `event` is null), answering Stripe's deleted stub.
 */
export function deleteRoute<T extends StoredObject>(
  router: Router,
  base: string,
  kind: string,
  {
    event = `${kind}.deleted`,
    refuse,
  }: { event?: string | null; refuse?: (obj: T, account: LocalAccount) => void } = {},
): void {
  router.delete(`${base}/:id`, ({ account, path, request }) => {
    const obj = account.store.require<T>(kind, path.id, kind);
    refuse?.(obj, account);
    account.store.delete(obj.id);
    if (event) account.emit(event, obj, { request });
    return { id: obj.id, object: kind, deleted: true };
  });
}

/** Stores a new object and emits its `<kind>.created` event; answers the object. */
export function storeCreated<T extends StoredObject>(
  account: LocalAccount,
  kind: string,
  obj: T,
  request?: EventRequest,
): T {
  account.store.put(obj);
  account.emit(`${kind}.created`, obj, { request });
  return obj;
}
