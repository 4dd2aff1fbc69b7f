// The client SDK's infinite queries (`subscribeInfiniteQuery`, what `useInfiniteQuery` runs) against
// instant-local: ported from upstream's client/packages/core/__tests__/src/infiniteQuery.e2e.test.ts.
// The SDK pages with `after`/`before` cursors, `afterInclusive`/`beforeInclusive` and reads the
// server's page info; every window stays live as items are added, deleted and reordered.
import { describe, expect, it } from 'vitest';
import { getInfiniteQueryInitialSnapshot, i, id } from '@instantdb/core';
import { from, throwawayApp } from './harness.ts';

const F = 'infiniteQuery.e2e.test.ts';
const schema = i.schema({ entities: { items: i.entity({ value: i.number().indexed() }) }, links: {} });
const poll = { timeout: 5000, interval: 10 };

type Resp = {
  data?: { items?: { id: string; value: number }[] };
  error?: { message: string };
  canLoadNextPage: boolean;
};

async function setup() {
  const app = await throwawayApp({ schema });
  const db = app.client();
  const errors: unknown[] = [];
  let response: Resp = { canLoadNextPage: false };
  const subscribe = (q: Record<string, unknown>) =>
    db.subscribeInfiniteQuery(q as never, (r: Resp) => {
      if (r.error) errors.push(r.error);
      response = r;
    });
  const values = () => (response.data?.items ?? []).map((x) => x.value);
  const add = (vals: number[]) => db.transact(vals.map((value) => db.tx.items[id()].update({ value })));
  const idOf = async (value: number) => {
    const { data } = await db.queryOnce({ items: { $: { order: { value: 'asc' } } } });
    const hit = data.items.find((x) => x.value === value);
    if (!hit) throw new Error(`no item ${value}`);
    return hit.id;
  };
  return {
    app,
    db,
    subscribe,
    values,
    add,
    idOf,
    errors,
    canLoad: () => response.canLoadNextPage,
    response: () => response,
  };
}

describe('infinite queries through the client SDK', () => {
  it(
    from(F, 'get initial data for useSyncExternalStore › empty result', 'the initial snapshot equals the live result'),
    async () => {
      const t = await setup();
      const q = { items: { $: { limit: 4, order: { value: 'asc' } } } };
      const sub = t.subscribe(q);
      for (const v of [0, 1, 2, 3]) await t.add([v]);
      await expect.poll(t.values, poll).toContain(3);
      const snap = getInfiniteQueryInitialSnapshot(t.db as never, q as never);
      expect(snap.data).toEqual(t.response().data);
      sub.unsubscribe();
      expect(t.errors).toEqual([]);
    },
  );

  it(
    from(F, 'infinite scroll number line › no order field', 'pages by serverCreatedAt when no order is given'),
    async () => {
      const t = await setup();
      const sub = t.subscribe({ items: { $: { limit: 4 } } });
      for (const v of [0, 1, 2, 3]) await t.add([v]);
      await expect.poll(t.values, poll).toEqual([0, 1, 2, 3]);
      // Past the first page, by creation order, and newer items join through loadNextPage.
      for (const v of [4, 5]) await t.add([v]);
      await expect.poll(t.canLoad, poll).toBe(true);
      expect(t.values()).toEqual([0, 1, 2, 3]);
      sub.loadNextPage();
      await expect.poll(t.values, poll).toEqual([0, 1, 2, 3, 4, 5]);
      sub.unsubscribe();
      expect(t.errors).toEqual([]);
    },
  );

  it(from(F, 'infinite scroll number line › adding new numbers', 'a next page appears and loads'), async () => {
    const t = await setup();
    const sub = t.subscribe({ items: { $: { limit: 4, order: { value: 'asc' } } } });
    await t.add([0, 1, 2, 3]);
    await expect.poll(t.values, poll).toContain(3);
    await t.add([5, 6, 7, 8]);
    await expect.poll(t.values, poll).toEqual([0, 1, 2, 3]);
    await expect.poll(t.canLoad, poll).toBe(true);
    sub.loadNextPage();
    await expect.poll(t.values, poll).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
    sub.unsubscribe();
    expect(t.errors).toEqual([]);
  });

  it(
    from(F, 'infinite scroll number line › adding negative numbers', 'items before the first page join live'),
    async () => {
      const t = await setup();
      const sub = t.subscribe({ items: { $: { limit: 4, order: { value: 'asc' } } } });
      await t.add([0, 1, 2, 3]);
      await expect.poll(t.values, poll).toEqual([0, 1, 2, 3]);
      await t.add([-1]);
      await expect.poll(t.values, poll).toEqual([-1, 0, 1, 2, 3]);
      await t.add([-4]);
      await expect.poll(t.values, poll).toEqual([-4, -1, 0, 1, 2, 3]);
      await t.add([-2]);
      await expect.poll(t.values, poll).toEqual([-4, -2, -1, 0, 1, 2, 3]);
      // More than a page before the start: the reverse chunk freezes and a new one opens.
      await t.add([-10, -9, -8, -7]);
      await expect.poll(t.values, poll).toEqual([-10, -9, -8, -7, -4, -2, -1, 0, 1, 2, 3]);
      sub.unsubscribe();
      expect(t.errors).toEqual([]);
    },
  );

  it(from(F, 'infinite scroll number line › add zero twice', 'equal values are both kept'), async () => {
    const t = await setup();
    const sub = t.subscribe({ items: { $: { limit: 4, order: { value: 'desc' } } } });
    await Promise.all([t.add([0]), t.add([0])]);
    await expect.poll(t.values, poll).toEqual([0, 0]);
    sub.unsubscribe();
    expect(t.errors).toEqual([]);
  });

  it(from(F, 'unique queries › descending', 'a descending window fills, then pages'), async () => {
    const t = await setup();
    const sub = t.subscribe({ items: { $: { limit: 4, order: { value: 'desc' } } } });
    await t.add([4, 5]);
    await expect.poll(t.values, poll).toEqual([5, 4]);
    await t.add([1]);
    await expect.poll(t.values, poll).toEqual([5, 4, 1]);
    await t.add([1, 2, 3]);
    await expect.poll(t.values, poll).toEqual([5, 4, 3, 2]);
    await expect.poll(t.canLoad, poll).toBe(true);
    sub.loadNextPage();
    await expect.poll(t.values, poll).toEqual([5, 4, 3, 2, 1, 1]);
    sub.unsubscribe();
    expect(t.errors).toEqual([]);
  });

  it(
    from(
      F,
      'unique queries › duplicate boundary values across pages (desc)',
      'ties at a page boundary are neither lost nor repeated',
    ),
    async () => {
      const t = await setup();
      const sub = t.subscribe({ items: { $: { limit: 3, order: { value: 'desc' } } } });
      await t.add([5, 4, 3, 2, 2, 2, 1]);
      await expect.poll(t.values, poll).toEqual([5, 4, 3]);
      await expect.poll(t.canLoad, poll).toBe(true);
      sub.loadNextPage();
      await expect.poll(t.values, poll).toEqual([5, 4, 3, 2, 2, 2]);
      await expect.poll(t.canLoad, poll).toBe(true);
      sub.loadNextPage();
      await expect.poll(t.values, poll).toEqual([5, 4, 3, 2, 2, 2, 1]);
      await expect.poll(t.canLoad, poll).toBe(false);
      sub.unsubscribe();
      expect(t.errors).toEqual([]);
    },
  );

  it(
    from(F, 'unique queries › rapid loadNextPage calls do not duplicate pages', 'one loadNextPage adds one page'),
    async () => {
      const t = await setup();
      const sub = t.subscribe({ items: { $: { limit: 2, order: { value: 'asc' } } } });
      await t.add([1, 2, 3, 4, 5, 6]);
      await expect.poll(t.values, poll).toEqual([1, 2]);
      await expect.poll(t.canLoad, poll).toBe(true);
      sub.loadNextPage();
      await expect.poll(t.values, poll).toEqual([1, 2, 3, 4]);
      await expect.poll(t.canLoad, poll).toBe(true);
      sub.unsubscribe();
      expect(t.errors).toEqual([]);
    },
  );

  it(from(F, 'unique queries › deleting an item', 'a deleted item leaves its frozen page'), async () => {
    const t = await setup();
    const sub = t.subscribe({ items: { $: { limit: 4, order: { value: 'asc' } } } });
    await t.add([1, 2, 3, 4, 5, 6]);
    await expect.poll(t.values, poll).toEqual([1, 2, 3, 4]);
    await expect.poll(t.canLoad, poll).toBe(true);
    sub.loadNextPage();
    await expect.poll(t.values, poll).toEqual([1, 2, 3, 4, 5, 6]);
    await expect.poll(t.canLoad, poll).toBe(false);
    await t.db.transact(t.db.tx.items[await t.idOf(3)].delete());
    await expect.poll(t.values, poll).toEqual([1, 2, 4, 5, 6]);
    await expect.poll(t.canLoad, poll).toBe(false);
    sub.unsubscribe();
    expect(t.errors).toEqual([]);
  });

  it(
    from(
      F,
      'unique queries › updating an out-of-window item can reorder into visible chunk',
      'an update moves an item into the window',
    ),
    async () => {
      const t = await setup();
      const sub = t.subscribe({ items: { $: { limit: 3, order: { value: 'asc' } } } });
      await t.add([10, 20, 30, 40, 50, 60]);
      await t.db.transact(t.db.tx.items[await t.idOf(60)].update({ value: 15 }));
      await expect.poll(t.values, poll).toEqual([10, 15, 20]);
      await expect.poll(t.canLoad, poll).toBe(true);
      sub.loadNextPage();
      await expect.poll(t.values, poll).toEqual([10, 15, 20, 30, 40, 50]);
      await expect.poll(t.canLoad, poll).toBe(false);
      sub.unsubscribe();
      expect(t.errors).toEqual([]);
    },
  );

  it(
    from(
      F,
      'unique queries › updating an out-of-window item can reorder into visible chunk',
      'a live reorder out of a loaded window',
    ),
    async () => {
      const t = await setup();
      const sub = t.subscribe({ items: { $: { limit: 3, order: { value: 'asc' } } } });
      await t.add([10, 20, 30, 40, 50, 60]);
      await expect.poll(t.values, poll).toEqual([10, 20, 30]);
      await expect.poll(t.canLoad, poll).toBe(true);
      sub.loadNextPage();
      await expect.poll(t.values, poll).toEqual([10, 20, 30, 40, 50, 60]);
      await expect.poll(t.canLoad, poll).toBe(false);
      // 20 moves past the end of the full last page: it leaves the frozen first page, and the
      // last page now has a next page holding it.
      await t.db.transact(t.db.tx.items[await t.idOf(20)].update({ value: 70 }));
      await expect.poll(t.values, poll).toEqual([10, 30, 40, 50, 60]);
      await expect.poll(t.canLoad, poll).toBe(true);
      sub.loadNextPage();
      await expect.poll(t.values, poll).toEqual([10, 30, 40, 50, 60, 70]);
      sub.unsubscribe();
      expect(t.errors).toEqual([]);
    },
  );

  it(from(F, 'unique queries › page size 1, asc', 'pages of one, ascending'), async () => {
    const t = await setup();
    const sub = t.subscribe({ items: { $: { limit: 1, order: { value: 'asc' } } } });
    await t.add([0]);
    await t.add([1]);
    await expect.poll(t.values, poll).toEqual([0]);
    await expect.poll(t.canLoad, poll).toBe(true);
    sub.loadNextPage();
    await expect.poll(t.values, poll).toEqual([0, 1]);
    sub.unsubscribe();
    expect(t.errors).toEqual([]);
  });

  it(from(F, 'unique queries › page size 1, desc', 'pages of one, descending'), async () => {
    const t = await setup();
    const sub = t.subscribe({ items: { $: { limit: 1, order: { value: 'desc' } } } });
    await t.add([0]);
    await t.add([-1]);
    await expect.poll(t.values, poll).toEqual([0]);
    await expect.poll(t.canLoad, poll).toBe(true);
    sub.loadNextPage();
    await expect.poll(t.values, poll).toEqual([0, -1]);
    sub.unsubscribe();
    expect(t.errors).toEqual([]);
  });

  it(
    from(F, 'infinite scroll number line › adding new numbers', 'a where filter and a string order page together'),
    async () => {
      const schema2 = i.schema({
        entities: { items: i.entity({ name: i.string().indexed(), shown: i.boolean().indexed() }) },
        links: {},
      });
      const app = await throwawayApp({ schema: schema2 });
      const db = app.client();
      let resp: { data?: { items?: { name: string }[] }; canLoadNextPage: boolean } = { canLoadNextPage: false };
      const errors: unknown[] = [];
      const sub = db.subscribeInfiniteQuery(
        { items: { $: { limit: 2, where: { shown: true }, order: { name: 'desc' } } } } as never,
        (r: any) => {
          if (r.error) errors.push(r.error);
          resp = r;
        },
      );
      const names = () => (resp.data?.items ?? []).map((x) => x.name);
      await db.transact(
        ['b', 'd', 'a', 'e', 'c'].map((name) => db.tx.items[id()].update({ name, shown: name !== 'd' })),
      );
      await expect.poll(names, poll).toEqual(['e', 'c']);
      await expect.poll(() => resp.canLoadNextPage, poll).toBe(true);
      sub.loadNextPage();
      await expect.poll(names, poll).toEqual(['e', 'c', 'b', 'a']);
      // An item that starts matching the filter joins its place in the order.
      const { data } = await db.queryOnce({ items: { $: { where: { name: 'd' } } } });
      await db.transact(db.tx.items[data.items[0].id].update({ shown: true }));
      await expect.poll(names, poll).toEqual(['e', 'd', 'c', 'b', 'a']);
      sub.unsubscribe();
      expect(errors).toEqual([]);
    },
  );
});
