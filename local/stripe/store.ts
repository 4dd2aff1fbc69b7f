import { resourceMissing } from './errors.ts';

/** Anything kept by the stand-in: every Stripe object has an id and an `object` kind. */
export interface StoredObject {
  id: string;
  object: string;
}

/**
 * In-memory state of one stand-in account. Objects live in one map keyed by
 * id (ids are globally unique, so `expand` can resolve any id) and in
 * per-kind insertion order, which gives lists their newest-first order even
 * when several objects share the same `created` second.
 */
export class Store {
  private objects = new Map<string, StoredObject>();
  private kinds = new Map<string, string[]>();
  /** Side tables for data Stripe keeps but does not show on the object. */
  readonly extras = new Map<string, Record<string, unknown>>();

  put<T extends StoredObject>(obj: T): T {
    if (!this.objects.has(obj.id)) {
      let ids = this.kinds.get(obj.object);
      if (!ids) this.kinds.set(obj.object, (ids = []));
      ids.push(obj.id);
    }
    this.objects.set(obj.id, obj);
    return obj;
  }

  /** Any object by id, whatever its kind (used by `expand`). */
  lookup(id: string): StoredObject | undefined {
    return this.objects.get(id);
  }

  get<T extends StoredObject>(kind: string, id: string): T | undefined {
    const obj = this.objects.get(id);
    return obj && obj.object === kind ? (obj as T) : undefined;
  }

  /** The object, or Stripe's `resource_missing` error naming it as Stripe does. */
  require<T extends StoredObject>(kind: string, id: string, label = kind, param = 'id'): T {
    const obj = this.get<T>(kind, id);
    if (!obj) throw resourceMissing(label, id, param);
    return obj;
  }

  /** All objects of a kind, newest first. */
  all<T extends StoredObject>(kind: string): T[] {
    const ids = this.kinds.get(kind) ?? [];
    const out: T[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const obj = this.objects.get(ids[i]);
      if (obj) out.push(obj as T);
    }
    return out;
  }

  delete(id: string): void {
    const obj = this.objects.get(id);
    if (!obj) return;
    this.objects.delete(id);
    const ids = this.kinds.get(obj.object);
    if (ids) ids.splice(ids.indexOf(id), 1);
    this.extras.delete(id);
  }

  extra<T extends Record<string, unknown>>(id: string): T {
    let e = this.extras.get(id);
    if (!e) this.extras.set(id, (e = {}));
    return e as T;
  }

  clear(): void {
    this.objects.clear();
    this.kinds.clear();
    this.extras.clear();
  }
}
