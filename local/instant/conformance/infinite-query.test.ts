// The client SDK's infinite queries (`subscribeInfiniteQuery`, what `useInfiniteQuery` runs) against
// instant-local: ported from upstream's client/packages/core/__tests__/src/infiniteQuery.e2e.test.ts.
// The SDK pages with `after`/`before` cursors, `afterInclusive`/`beforeInclusive` and reads the
// server's page info; every window stays live as items are added, deleted and reordered.
import { describe, expect, it } from 'vitest';
import { getInfiniteQueryInitialSnapshot, i, id } from '@instantdb/core';
import { from, throwawayApp } from './harness.ts';

const F = 'infiniteQuery.e2e.test.ts';
const schema = i.schema({ entities: { items: i.entity({ value: i.number().indexed() }) }, links: {} });
/** Items named and shown or not: a where filter and a string order. */
const namedSchema = i.schema({
  entities: { items: i.entity({ name: i.string().indexed(), shown: i.boolean().indexed() }) },
  links: {},
});
const poll = { timeout: 5000, interval: 10 };

type Resp = {
  data?: { items?: { id: string; value: number }[] };
  error?: { message: string };
  canLoadNextPage: boolean;
};

/** A fresh app and a client subscribed to an infinite query on `items` with these options. */
async function setup($: Record<string, unknown>) {
  const app = await throwawayApp({ schema });
  const db = app.client();
  const errors: unknown[] = [];
  let response: Resp = { canLoadNextPage: false };
  const q = { items: { $ } };
  const sub = db.subscribeInfiniteQuery(q as never, (r: Resp) => {
    if (r.error) errors.push(r.error);
    response = r;
  });
  const values = () => (response.data?.items ?? []).map((x) => x.value);
  const idOf = async (value: number) => {
    const { data } = await db.queryOnce({ items: { $: { order: { value: 'asc' } } } });
    const hit = data.items.find((x) => x.value === value);
    if (!hit) throw new Error(`no item ${value}`);
    return hit.id;
  };
  return {
    db,
    q,
    response: () => response,
    values,
    add: (vals: number[]) => db.transact(vals.map((value) => db.tx.items[id()].update({ value }))),
    /** Moves the item holding `value` to `to`, or deletes it. */
    change: async (value: number, to: number | 'deleted') => {
      const item = db.tx.items[await idOf(value)];
      await db.transact(to === 'deleted' ? item.delete() : item.update({ value: to }));
    },
    /** Waits until the window shows exactly these values. */
    shows: (vals: number[]) => expect.poll(values, poll).toEqual(vals),
    /** Waits until the SDK says whether a next page can be loaded. */
    canLoad: (yes: boolean) => expect.poll(() => response.canLoadNextPage, poll).toBe(yes),
    /** Waits for a next page, loads it, and waits until the window shows these values. */
    async loadsNextPage(vals: number[]) {
      await expect.poll(() => response.canLoadNextPage, poll).toBe(true);
      sub.loadNextPage();
      await expect.poll(values, poll).toEqual(vals);
    },
    /** Ends the subscription; no response carried an error. */
    done() {
      sub.unsubscribe();
      expect(errors).toEqual([]);
    },
  };
}

describe('infinite queries through the client SDK', () => {
  it(
    from(F, 'get initial data for useSyncExternalStore › empty result', 'the initial snapshot equals the live result'),
    async () => {
      const t = await setup({ limit: 4, order: { value: 'asc' } });
      for (const v of [0, 1, 2, 3]) await t.add([v]);
      await expect.poll(t.values, poll).toContain(3);
      const snap = getInfiniteQueryInitialSnapshot(t.db as never, t.q as never);
      expect(snap.data).toEqual(t.response().data);
      t.done();
    },
  );

  it(
    from(F, 'infinite scroll number line › no order field', 'pages by serverCreatedAt when no order is given'),
    async () => {
      const t = await setup({ limit: 4 });
      for (const v of [0, 1, 2, 3]) await t.add([v]);
      await t.shows([0, 1, 2, 3]);
      // Past the first page, by creation order, and newer items join through loadNextPage.
      for (const v of [4, 5]) await t.add([v]);
      await t.canLoad(true);
      expect(t.values()).toEqual([0, 1, 2, 3]);
      await t.loadsNextPage([0, 1, 2, 3, 4, 5]);
      t.done();
    },
  );

  it(from(F, 'infinite scroll number line › adding new numbers', 'a next page appears and loads'), async () => {
    const t = await setup({ limit: 4, order: { value: 'asc' } });
    await t.add([0, 1, 2, 3]);
    await expect.poll(t.values, poll).toContain(3);
    await t.add([5, 6, 7, 8]);
    await t.shows([0, 1, 2, 3]);
    await t.loadsNextPage([0, 1, 2, 3, 5, 6, 7, 8]);
    t.done();
  });

  it(
    from(F, 'infinite scroll number line › adding negative numbers', 'items before the first page join live'),
    async () => {
      const t = await setup({ limit: 4, order: { value: 'asc' } });
      await t.add([0, 1, 2, 3]);
      await t.shows([0, 1, 2, 3]);
      await t.add([-1]);
      await t.shows([-1, 0, 1, 2, 3]);
      await t.add([-4]);
      await t.shows([-4, -1, 0, 1, 2, 3]);
      await t.add([-2]);
      await t.shows([-4, -2, -1, 0, 1, 2, 3]);
      // More than a page before the start: the reverse chunk freezes and a new one opens.
      await t.add([-10, -9, -8, -7]);
      await t.shows([-10, -9, -8, -7, -4, -2, -1, 0, 1, 2, 3]);
      t.done();
    },
  );

  it(from(F, 'infinite scroll number line › add zero twice', 'equal values are both kept'), async () => {
    const t = await setup({ limit: 4, order: { value: 'desc' } });
    await Promise.all([t.add([0]), t.add([0])]);
    await t.shows([0, 0]);
    t.done();
  });

  it(from(F, 'unique queries › descending', 'a descending window fills, then pages'), async () => {
    const t = await setup({ limit: 4, order: { value: 'desc' } });
    await t.add([4, 5]);
    await t.shows([5, 4]);
    await t.add([1]);
    await t.shows([5, 4, 1]);
    await t.add([1, 2, 3]);
    await t.shows([5, 4, 3, 2]);
    await t.loadsNextPage([5, 4, 3, 2, 1, 1]);
    t.done();
  });

  it(
    from(
      F,
      'unique queries › duplicate boundary values across pages (desc)',
      'ties at a page boundary are neither lost nor repeated',
    ),
    async () => {
      const t = await setup({ limit: 3, order: { value: 'desc' } });
      await t.add([5, 4, 3, 2, 2, 2, 1]);
      await t.shows([5, 4, 3]);
      await t.loadsNextPage([5, 4, 3, 2, 2, 2]);
      await t.loadsNextPage([5, 4, 3, 2, 2, 2, 1]);
      await t.canLoad(false);
      t.done();
    },
  );

  it(
    from(F, 'unique queries › rapid loadNextPage calls do not duplicate pages', 'one loadNextPage adds one page'),
    async () => {
      const t = await setup({ limit: 2, order: { value: 'asc' } });
      await t.add([1, 2, 3, 4, 5, 6]);
      await t.shows([1, 2]);
      await t.loadsNextPage([1, 2, 3, 4]);
      await t.canLoad(true);
      t.done();
    },
  );

  it(from(F, 'unique queries › deleting an item', 'a deleted item leaves its frozen page'), async () => {
    const t = await setup({ limit: 4, order: { value: 'asc' } });
    await t.add([1, 2, 3, 4, 5, 6]);
    await t.shows([1, 2, 3, 4]);
    await t.loadsNextPage([1, 2, 3, 4, 5, 6]);
    await t.canLoad(false);
    await t.change(3, 'deleted');
    await t.shows([1, 2, 4, 5, 6]);
    await t.canLoad(false);
    t.done();
  });

  const reorder = 'unique queries › updating an out-of-window item can reorder into visible chunk';
  /** Items 10 to 60 in pages of three, ascending. */
  const tens = async () => {
    const t = await setup({ limit: 3, order: { value: 'asc' } });
    await t.add([10, 20, 30, 40, 50, 60]);
    return t;
  };

  it(from(F, reorder, 'an update moves an item into the window'), async () => {
    const t = await tens();
    await t.change(60, 15);
    await t.shows([10, 15, 20]);
    await t.loadsNextPage([10, 15, 20, 30, 40, 50]);
    await t.canLoad(false);
    t.done();
  });

  it(from(F, reorder, 'a live reorder out of a loaded window'), async () => {
    const t = await tens();
    await t.shows([10, 20, 30]);
    await t.loadsNextPage([10, 20, 30, 40, 50, 60]);
    await t.canLoad(false);
    // 20 moves past the end of the full last page: it leaves the frozen first page, and the
    // last page now has a next page holding it.
    await t.change(20, 70);
    await t.shows([10, 30, 40, 50, 60]);
    await t.loadsNextPage([10, 30, 40, 50, 60, 70]);
    t.done();
  });

  for (const c of [
    { test: 'unique queries › page size 1, asc', what: 'pages of one, ascending', order: 'asc', second: 1 },
    { test: 'unique queries › page size 1, desc', what: 'pages of one, descending', order: 'desc', second: -1 },
  ]) {
    it(from(F, c.test, c.what), async () => {
      const t = await setup({ limit: 1, order: { value: c.order } });
      await t.add([0]);
      await t.add([c.second]);
      await t.shows([0]);
      await t.loadsNextPage([0, c.second]);
      t.done();
    });
  }

  it(
    from(F, 'infinite scroll number line › adding new numbers', 'a where filter and a string order page together'),
    async () => {
      const app = await throwawayApp({ schema: namedSchema });
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
