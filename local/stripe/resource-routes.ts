// The retrieve, update, list and delete routes every resource shares, stated once, so that each
// resource says only what differs: which params an update copies or derives, which params filter
// a list (and how, where a filter is not a plain field), and what refuses a delete.
import { z } from 'zod';
import type { EventRequest, LocalAccount } from './account.ts';
import { matchesRange, paginate } from './lists.ts';
import { mergeMetadata, metadataParam, parseParams, type MetadataInput } from './params.ts';
import { listParams } from './resources/shared-params.ts';
import type { Router } from './router.ts';
import type { StoredObject } from './store.ts';
import { applyChanges } from './updates.ts';

type Shape = Record<string, z.ZodType>;
type None = Record<never, never>;
type Params<S extends Shape> = z.infer<z.ZodObject<S>>;
type Ctx = { account: LocalAccount; request: EventRequest };

/** POST `<base>/:id`. Metadata is always accepted, and merged as Stripe merges it. */
export interface UpdateSpec<T, C extends Shape, U extends Shape> {
  /** Params copied as given onto the same-named fields. */
  copy?: C;
  /** Params only `changes` reads. */
  using?: U;
  /** Further changes from the params; it may refuse, or act first (e.g. free a lookup key). */
  changes?: (obj: T, p: Params<C & U>, ctx: Ctx) => Partial<T>;
  /** Emitted with the previous values of what changed: `<kind>.updated` by default, null for none. */
  event?: string | null;
  /** Called when anything changed (e.g. to stamp `updated`). */
  changed?: (obj: T) => void;
}

/** GET `<base>`: newest first, one page. */
export interface ListSpec<T, F extends Shape> {
  /** Filters; one that is given keeps the objects whose same-named field equals it, unless `by` says how. */
  filters?: F;
  by?: { [K in keyof F]?: (obj: T, wanted: NonNullable<z.infer<F[K]>>) => boolean };
  /** False for kinds without `created` (no `created` range filter). */
  created?: boolean;
}

/** DELETE `<base>/:id`: `refuse` may throw first (an object still in use); answers Stripe's deleted stub. */
export interface DeleteSpec<T> {
  /** `<kind>.deleted` by default, null for none. */
  event?: string | null;
  refuse?: (obj: T, account: LocalAccount) => void;
}

/** GET `<base>/:id` (the object, or Stripe's resource_missing error) and the routes `spec` asks for. */
export function resourceRoutes<
  T extends StoredObject,
  C extends Shape = None,
  U extends Shape = None,
  F extends Shape = None,
>(
  router: Router,
  base: string,
  kind: string,
  spec: { update?: UpdateSpec<T, C, U>; list?: ListSpec<T, F>; delete?: DeleteSpec<T> } = {},
): void {
  router.get(`${base}/:id`, ({ account, path }) => account.store.require(kind, path.id, kind));
  if (spec.update) updateRoute(router, base, kind, spec.update);
  if (spec.list) listRoute(router, base, kind, spec.list);
  if (spec.delete) deleteRoute(router, base, kind, spec.delete);
}

function updateRoute<T extends StoredObject, C extends Shape, U extends Shape>(
  router: Router,
  base: string,
  kind: string,
  { copy = {} as C, using = {} as U, changes, event = `${kind}.updated`, changed }: UpdateSpec<T, C, U>,
): void {
  const schema = z.strictObject({ ...copy, ...using, metadata: metadataParam.optional() });
  router.post(`${base}/:id`, ({ account, params, path, request }) => {
    const obj = account.store.require<T>(kind, path.id, kind);
    const p = parseParams(schema, params) as Params<C & U> & { metadata?: MetadataInput };
    const copied = Object.fromEntries(Object.keys(copy).map((k) => [k, (p as Record<string, unknown>)[k]]));
    const derived = changes?.(obj, p, { account, request }) ?? {};
    const current = (obj as { metadata?: Record<string, string> | null }).metadata;
    const metadata = p.metadata === undefined ? undefined : mergeMetadata(current ?? {}, p.metadata);
    const previous = applyChanges(obj, { ...copied, ...derived, metadata } as unknown as Partial<T>);
    if (previous) changed?.(obj);
    if (previous && event) account.emit(event, obj, { previous_attributes: previous, request });
    return obj;
  });
}

function listRoute<T extends StoredObject, F extends Shape>(
  router: Router,
  base: string,
  kind: string,
  { filters = {} as F, by = {}, created = true }: ListSpec<T, F>,
): void {
  const schema = z.strictObject({ ...listParams, ...filters });
  const tests = Object.keys(filters).map((k) => {
    const test = (by as Record<string, ((obj: T, wanted: unknown) => boolean) | undefined>)[k];
    return (obj: T, p: Record<string, unknown>) =>
      p[k] === undefined || (test ? test(obj, p[k]) : (obj as Record<string, unknown>)[k] === p[k]);
  });
  router.get(base, ({ account, params, url }) => {
    const p = parseParams(schema, params) as Record<string, unknown>;
    const inRange = (obj: T) =>
      !created || matchesRange((obj as { created?: number }).created ?? 0, params.created, 'created');
    const items = account.store.all<T>(kind).filter((obj) => tests.every((t) => t(obj, p)) && inRange(obj));
    return paginate(items, params, url);
  });
}

function deleteRoute<T extends StoredObject>(
  router: Router,
  base: string,
  kind: string,
  { event = `${kind}.deleted`, refuse }: DeleteSpec<T>,
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
