// InstaQL queries on instant-local, ported from upstream's server/test/instant/db/instaql_test.clj:
// validation messages, ordering and cursor pagination with page info, `$not` through links,
// date comparisons, and the stand-in's query-cost bound (refused with Instant's `timeout` error).
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { i, id } from '@instantdb/admin';
import { link } from '../fixtures.test-schema.ts';
import { from, throwawayApp, type ThrowawayApp } from './harness.ts';
import { frameSocket } from '../frame-socket.test-support.ts';

const F = 'instaql_test.clj';

const zenecaSchema = i.schema({
  entities: {
    users: i.entity({
      handle: i.string().unique().indexed(),
      email: i.string().unique().indexed().optional(),
      fullName: i.string().optional(),
    }),
    bookshelves: i.entity({ name: i.string(), order: i.number().indexed() }),
  },
  links: {
    userShelves: link(['users', 'many', 'bookshelves'], ['bookshelves', 'many', 'users']),
  },
});

type Zeneca = ThrowawayApp & { ids: Record<string, string> };

/** A small zeneca: four users created one after another (stopa, joe, alex, nicolegf), with shelves. */
async function zeneca(): Promise<Zeneca> {
  const app = await throwawayApp({ schema: zenecaSchema });
  const ids: Record<string, string> = {};
  const people = [
    ['stopa', 'stopa@instantdb.com', 'Stepan Parunashvili'],
    ['joe', 'joe@instantdb.com', 'Joe Averbukh'],
    ['alex', 'alex@instantdb.com', 'Alex'],
    ['nicolegf', 'nicole@instantdb.com', 'Nicole'],
  ];
  for (const [handle, email, fullName] of people) {
    ids[handle] = id();
    await app.admin.transact(app.admin.tx.users[ids[handle]].update({ handle, email, fullName }));
  }
  const shelves: [string, number, string][] = [
    ['Worldview', 0, 'stopa'],
    ['Short Stories', 1, 'stopa'],
    ['Nonfiction', 2, 'alex'],
    ['2018', 3, 'joe'],
  ];
  for (const [name, order, owner] of shelves) {
    ids[name] = id();
    await app.admin.transact(app.admin.tx.bookshelves[ids[name]].update({ name, order }).link({ users: ids[owner] }));
  }
  return Object.assign(app, { ids });
}

async function refused(app: ThrowawayApp, query: unknown, headers: Record<string, string> = {}) {
  const res = await app.http('POST', '/admin/query', { query }, headers);
  return { status: res.status, body: (await res.json()) as { type: string; message: string; hint: any } };
}

const handles = async (app: ThrowawayApp, $: Record<string, unknown>) =>
  ((await app.admin.query({ users: { $ } } as never)) as { users: { handle: string }[] }).users.map((u) => u.handle);

/** The client SDK's view of a query: what `queryOnce` answers, page info included. */
async function clientView(app: ThrowawayApp, q: Record<string, unknown>) {
  const r = (await app.client().queryOnce(q as never)) as {
    data: Record<string, any[]>;
    pageInfo?: Record<string, any>;
  };
  return r;
}

/** One namespace, `etype`, with an indexed attribute of each type (after `extra`'s). */
const everyType = (extra: Record<string, ReturnType<typeof i.string>> = {}) =>
  i.schema({
    entities: {
      etype: i.entity({
        ...extra,
        string: i.string().indexed(),
        number: i.number().indexed(),
        date: i.date().indexed(),
        boolean: i.boolean().indexed(),
      }),
    },
    links: {},
  });

describe('validations', () => {
  it(from(F, 'validations', 'refuses malformed queries with upstream messages'), async () => {
    const app = await zeneca();
    const cases: [unknown, Record<string, unknown>][] = [
      [{ users: { bookshelves: 2 } }, { expected: 'map?', in: ['users', 'bookshelves'] }],
      [{ users: { $: { where: ['foo'] } } }, { expected: 'map?', in: ['users', '$', 'where'] }],
      [
        { users: { $: { 'forgot-where': ['foo'] } } },
        { message: 'We only support `where`, `order`, `limit`, `offset`, `before`, and `after` clauses.' },
      ],
      [
        { users: { $: { where: { handle: { in: {} } } } } },
        { expected: 'vector?', in: ['users', '$', 'where', 'handle', 'in'] },
      ],
      [
        { users: { $: { where: { handle: { is: 'stopa' } } } } },
        { expected: 'where-value-valid-keys?', in: ['users', '$', 'where', 'handle'] },
      ],
      [
        { users: { $: { where: { handle: { $isNull: 'a' } } } } },
        { expected: 'boolean?', in: ['users', '$', 'where', 'handle', '$isNull'] },
      ],
      [
        { users: { $: { where: { or: [] } } } },
        { expected: 'non-empty-list?', message: "The list of `or` conditions can't be empty." },
      ],
      [
        { users: { $: { where: { bookshelves: 'hello' } } } },
        { expected: 'uuid?', message: 'Expected bookshelves to be a uuid, got "hello"' },
      ],
      [
        { users: { $: { where: { bookshelves: { in: ['00000000-0000-0000-0000-000000000000', 'hello'] } } } } },
        {
          message:
            'Expected bookshelves to match on a uuid, found "hello" in ["00000000-0000-0000-0000-000000000000","hello"]',
        },
      ],
      [
        { users: { $: { where: { bookshelves: { $not: 'hello' } } } } },
        { expected: 'uuid?', message: 'Expected bookshelves to be a uuid, got {"$not":"hello"}' },
      ],
      [
        { users: { $: { limit: -1 } } },
        { in: ['users', '$', 'limit'], message: 'The limit field must be a positive integer. Got -1.' },
      ],
      [
        { users: { $: { before: 10 } } },
        { expected: 'join-row?', in: ['users', '$', 'before'], message: 'Expected a join row for the cursor, got 10.' },
      ],
      [
        { users: { $: { order: { 'random-field': 'desc' } } } },
        { expected: 'supported-order?', message: 'There is no `random-field` attribute for users.' },
      ],
      [
        { users: { $: { order: { serverCreatedAt: 'DESC' } } } },
        {
          expected: 'valid-direction?',
          in: ['users', '$', 'order', 'serverCreatedAt'],
          message: 'We only support "asc" or "desc" in the `order` clause. Got "DESC".',
        },
      ],
      [{ users: { $: { limit: 10, first: 10 } } }, { message: 'Only provide one of `limit` or `first`.' }],
      [{ users: { $: { last: 10, first: 10 } } }, { message: 'Only provide one of `first` or `last`.' }],
      [{ users: { $: { first: 0 } } }, { message: 'The first field must be a positive integer. Got 0.' }],
      [{ users: { $: { last: -1 } } }, { message: 'The last field must be a positive integer. Got -1.' }],
      [
        { users: { $: { fields: {} } } },
        { expected: 'array?', message: 'The `fields` property should be an array of field names.' },
      ],
      [
        { users: { bookshelves: { $: { offset: 1 } } } },
        { message: expect.stringContaining('only support `offset`, `before`, and `after` clauses on the top-level') },
      ],
    ];
    for (const [query, error] of cases) {
      const { status, body } = await refused(app, query);
      expect(status, JSON.stringify(query)).toBe(400);
      expect(body.type).toBe('validation-failed');
      expect(body.hint['data-type']).toBe('query');
      expect(body.hint.errors[0]).toMatchObject(error);
      if (typeof error.message === 'string') expect(body.message).toBe(`Validation failed for query: ${error.message}`);
    }
    // A guest (impersonated) is refused the same way, and aggregates are admin-only upstream.
    const guest = await refused(app, { users: { $: { aggregate: 'count' } } }, { 'as-guest': 'true' });
    expect(guest).toMatchObject({
      status: 400,
      body: {
        type: 'validation-failed',
        hint: { errors: [{ message: 'Aggregates are currently only available for admin queries.' }] },
      },
    });
  });

  it(
    from(
      'admin/routes.clj',
      'query-post',
      'a missing or non-object query parameter is param-missing / param-malformed',
    ),
    async () => {
      const app = await throwawayApp();
      const missing = await app.http('POST', '/admin/query', {});
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({
        type: 'param-missing',
        message: 'Missing parameter: [:body :query]',
        hint: { in: ['body', 'query'] },
      });
      const malformed = await app.http('POST', '/admin/query', { query: [1] });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({
        type: 'param-malformed',
        hint: { in: ['body', 'query'], 'original-input': [1] },
      });
    },
  );

  it(from(F, 'pagination', 'a cursor from another order is refused, naming both orders'), async () => {
    const app = await zeneca();
    const { pageInfo } = await clientView(app, { users: { $: { limit: 1, order: { handle: 'asc' } } } });
    const { status, body } = await refused(app, { users: { $: { limit: 1, after: pageInfo!.users.endCursor } } });
    expect(status).toBe(400);
    expect(body.hint.errors[0]).toMatchObject({
      expected: 'valid-cursor?',
      message:
        'Invalid after cursor. The query orders by `serverCreatedAt`, but the query that returned the cursor orders by `handle`.',
    });
  });

  it(from(F, 'validations-on-checked-data', 'ordering by an unindexed attribute is refused'), async () => {
    const app = await zeneca();
    const { status, body } = await refused(app, { users: { $: { order: { fullName: 'asc' } } } });
    expect(status).toBe(400);
    expect(body.message).toContain(
      'The `users.fullName` attribute is not indexed. Only indexed and typed attributes can be used to order by.',
    );
  });
});

describe('pagination', () => {
  it(from(F, 'pagination', 'limit, offset and cursors on serverCreatedAt'), async () => {
    const app = await zeneca();
    expect(await handles(app, { limit: 2, order: { serverCreatedAt: 'desc' } })).toEqual(['nicolegf', 'alex']);
    expect(await handles(app, { offset: 2, order: { serverCreatedAt: 'desc' } })).toEqual(['joe', 'stopa']);
    expect(
      await handles(app, {
        where: { handle: { in: ['joe', 'stopa', 'nicolegf'] } },
        limit: 2,
        order: { serverCreatedAt: 'desc' },
      }),
    ).toEqual(['nicolegf', 'joe']);
    const first = (await clientView(app, { users: { $: { limit: 1, order: { serverCreatedAt: 'desc' } } } })).pageInfo!
      .users;
    expect(first.startCursor).toEqual(first.endCursor);
    expect(first.startCursor.slice(0, 3)).toEqual([app.ids.nicolegf, expect.any(String), app.ids.nicolegf]);
    const { endCursor, startCursor } = first;
    expect(await handles(app, { limit: 1, after: endCursor, order: { serverCreatedAt: 'desc' } })).toEqual(['alex']);
    expect(
      await handles(app, { limit: 1, after: endCursor, afterInclusive: true, order: { serverCreatedAt: 'desc' } }),
    ).toEqual(['nicolegf']);
    expect(await handles(app, { limit: 1, before: startCursor, order: { serverCreatedAt: 'desc' } })).toEqual([]);
    expect(await handles(app, { limit: 1, before: startCursor, order: { serverCreatedAt: 'asc' } })).toEqual(['stopa']);
    expect(
      await handles(app, { limit: 1, before: startCursor, beforeInclusive: true, order: { serverCreatedAt: 'desc' } }),
    ).toEqual(['nicolegf']);
    expect(await handles(app, { last: 1, before: startCursor, order: { serverCreatedAt: 'asc' } })).toEqual(['alex']);
  });

  it(from(F, 'pagination', 'first/last around a cursor, with has-next-page? and has-previous-page?'), async () => {
    const app = await zeneca();
    const cursorOf = async (handle: string) =>
      (await clientView(app, { users: { $: { limit: 1, where: { handle } } } })).pageInfo!.users.startCursor;
    const alex = await cursorOf('alex');
    const asc = { serverCreatedAt: 'asc' };
    expect(await handles(app, { order: asc })).toEqual(['stopa', 'joe', 'alex', 'nicolegf']);
    expect(await handles(app, { limit: 2, order: asc })).toEqual(['stopa', 'joe']);
    expect(await handles(app, { limit: 2, offset: 1, order: asc })).toEqual(['joe', 'alex']);
    expect(await handles(app, { last: 1, before: alex, order: asc })).toEqual(['joe']);
    expect(await handles(app, { last: 2, before: alex, order: asc })).toEqual(['stopa', 'joe']);
    expect(await handles(app, { first: 1, after: alex, order: asc })).toEqual(['nicolegf']);
    expect(await handles(app, { first: 1, after: alex, order: { serverCreatedAt: 'desc' } })).toEqual(['joe']);

    const info = async ($: Record<string, unknown>) => {
      const p = (await clientView(app, { users: { $ } })).pageInfo!.users;
      return { next: p.hasNextPage, prev: p.hasPreviousPage };
    };
    expect(await info({ order: asc })).toEqual({ next: false, prev: false });
    expect(await info({ limit: 2, order: asc })).toEqual({ next: true, prev: false });
    expect(await info({ limit: 2, offset: 1, order: asc })).toEqual({ next: true, prev: true });
    expect(await info({ limit: 1, offset: 999 })).toEqual({ next: false, prev: true });
    expect(await info({ last: 1, before: alex, order: asc })).toEqual({ next: true, prev: true });
    expect(await info({ last: 2, before: alex, order: asc })).toEqual({ next: true, prev: false });
    expect(await info({ first: 1, after: alex, order: asc })).toEqual({ next: false, prev: true });
    // An empty page past a cursor reports a previous page (datalog.clj), a full one looks for rows.
    expect(await info({ after: alex, before: alex, beforeInclusive: true, order: asc })).toEqual({
      next: false,
      prev: true,
    });
    expect(await info({ after: alex, order: asc })).toEqual({ next: false, prev: true });
  });

  it(from(F, 'pagination-with-checked-fields', 'limit on a typed, indexed string order'), async () => {
    const app = await zeneca();
    expect(await handles(app, { limit: 2, order: { handle: 'desc' } })).toEqual(['stopa', 'nicolegf']);
    const { data, pageInfo } = await clientView(app, { users: { $: { limit: 2, order: { handle: 'desc' } } } });
    expect(data.users.map((u) => u.handle)).toEqual(['stopa', 'nicolegf']);
    expect(pageInfo!.users.endCursor.slice(0, 3)).toEqual([app.ids.nicolegf, expect.any(String), 'nicolegf']);
    const next = await clientView(app, {
      users: { $: { limit: 2, after: pageInfo!.users.endCursor, order: { handle: 'desc' } } },
    });
    expect(next.data.users.map((u) => u.handle)).toEqual(['joe', 'alex']);
    expect(next.pageInfo!.users).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it(
    from(F, 'pagination-with-same-values', 'equal order values fall back to entity id, cursors included'),
    async () => {
      const schema = i.schema({
        entities: { etype: i.entity({ label: i.string().unique(), value: i.string().indexed() }) },
        links: {},
      });
      const app = await throwawayApp({ schema });
      const stuid = (l: string) => `${'abcde'.indexOf(l) + 1}0000000-0000-4000-8000-000000000000`; // ascending ids
      const labels = ['a', 'b', 'c', 'd', 'e'];
      await app.admin.transact(labels.map((l) => app.admin.tx.etype[stuid(l)].update({ label: l, value: 'value' })));
      const valueAttr = (await clientView(app, { etype: { $: { limit: 1, order: { value: 'asc' } } } })).pageInfo!.etype
        .startCursor[1];
      const run = async ($: Record<string, unknown>) =>
        (
          (await app.admin.query({ etype: { $: { order: { value: 'asc' }, ...$ } } } as never)) as {
            etype: { label: string }[];
          }
        ).etype.map((x) => x.label);
      const cur = (l: string) => [stuid(l), valueAttr, 'value', 0];
      expect(await run({})).toEqual(labels);
      expect(await run({ after: cur('a'), before: cur('e') })).toEqual(['b', 'c', 'd']);
      expect(await run({ after: cur('a'), before: cur('e'), afterInclusive: true, beforeInclusive: true })).toEqual(
        labels,
      );
      expect(await run({ after: cur('b'), afterInclusive: true })).toEqual(['b', 'c', 'd', 'e']);
      expect(await run({ before: cur('d'), beforeInclusive: true })).toEqual(['a', 'b', 'c', 'd']);
    },
  );

  it(
    from(F, 'pagination-with-null-values', 'entities without the order value sort first ascending, last descending'),
    async () => {
      const app = await zeneca();
      await app.admin.transact(app.admin.tx.users[id()].update({ handle: 'first' }));
      expect(await handles(app, { order: { email: 'asc' } })).toEqual(['first', 'alex', 'joe', 'nicolegf', 'stopa']);
      expect(await handles(app, { order: { email: 'desc' } })).toEqual(['stopa', 'nicolegf', 'joe', 'alex', 'first']);
      // A cursor on the missing value pages on past it.
      const { pageInfo } = await clientView(app, { users: { $: { limit: 1, order: { email: 'asc' } } } });
      expect(pageInfo!.users.endCursor[2]).toBeNull();
      expect(await handles(app, { limit: 2, after: pageInfo!.users.endCursor, order: { email: 'asc' } })).toEqual([
        'alex',
        'joe',
      ]);
    },
  );

  it(from(F, 'nested-order-by', 'nested forms are ordered by their own `order`'), async () => {
    const app = await zeneca();
    await app.admin.transact(
      app.admin.tx.users[app.ids.stopa].link({ bookshelves: [app.ids.Nonfiction, app.ids['2018']] }),
    );
    const shelves = async (dir: 'asc' | 'desc') =>
      (
        (await app.admin.query({
          users: { $: { where: { handle: 'stopa' } }, bookshelves: { $: { order: { order: dir } } } },
        })) as any
      ).users[0].bookshelves.map((b: { order: number }) => b.order);
    expect(await shelves('asc')).toEqual([0, 1, 2, 3]);
    expect(await shelves('desc')).toEqual([3, 2, 1, 0]);
  });
});

describe('where', () => {
  it(from(F, 'where-$not', '$not and its alias $ne exclude a value'), async () => {
    const app = await zeneca();
    for (const op of ['$not', '$ne']) {
      expect(
        (
          await handles(app, { where: { and: [{ handle: { [op]: 'alex' } }, { handle: { [op]: 'nicolegf' } }] } })
        ).sort(),
      ).toEqual(['joe', 'stopa']);
    }
  });

  it(from(F, '$not-with-refs', '$not on a link keeps entities with no link, and through a link path'), async () => {
    const app = await zeneca();
    await app.admin.transact(app.admin.tx.users[id()].update({ handle: 'shelfless' }));
    const all = await handles(app, {});
    expect(await handles(app, { where: { bookshelves: { $not: '1b27ab60-d8b6-4327-93a2-5e9a296e9f02' } } })).toEqual(
      all,
    );
    const shelfNames = async (where: Record<string, unknown>) =>
      (
        (await app.admin.query({ bookshelves: { $: { where } } } as never)) as { bookshelves: { name: string }[] }
      ).bookshelves.map((b) => b.name);
    expect(await shelfNames({ and: [{ users: { $not: app.ids.stopa } }, { users: { $not: app.ids.joe } }] })).toEqual([
      'Nonfiction',
    ]);
    // Through a path: users with no shelf, or a shelf with another name.
    expect((await handles(app, { where: { 'bookshelves.name': { $not: '2018' } } })).sort()).toEqual([
      'alex',
      'nicolegf',
      'shelfless',
      'stopa',
    ]);
    expect((await handles(app, { where: { 'bookshelves.name': { $ne: 'Nonfiction' } } })).sort()).toEqual([
      'joe',
      'nicolegf',
      'shelfless',
      'stopa',
    ]);
    expect((await handles(app, { where: { 'bookshelves.name': 'Nonfiction' } })).sort()).toEqual(['alex']);
    // The client SDK agrees (it re-runs the where over the triples the server sends).
    const view = await clientView(app, { users: { $: { where: { 'bookshelves.name': { $not: '2018' } } } } });
    expect(view.data.users.map((u) => u.handle).sort()).toEqual(['alex', 'nicolegf', 'shelfless', 'stopa']);
  });

  it(from(F, 'where-$isNull', '$isNull through a link path matches a missing link'), async () => {
    const app = await zeneca();
    expect((await handles(app, { where: { 'bookshelves.name': { $isNull: true } } })).sort()).toEqual(['nicolegf']);
    expect((await handles(app, { where: { bookshelves: { $isNull: false } } })).sort()).toEqual([
      'alex',
      'joe',
      'stopa',
    ]);
  });

  it(from(F, 'equality-on-dates-without-index', 'an unindexed date matches only its stored value'), async () => {
    const schema = i.schema({ entities: { posts: i.entity({ date: i.date() }) }, links: {} });
    const app = await throwawayApp({ schema });
    const ms = 1_700_000_000_123;
    await app.admin.transact(app.admin.tx.posts[id()].update({ date: ms }));
    expect(
      ((await app.admin.query({ posts: { $: { where: { date: ms } } } })) as any).posts.map((p: any) => p.date),
    ).toEqual([ms]);
    expect(
      ((await app.admin.query({ posts: { $: { where: { date: new Date(ms).toISOString() } } } })) as any).posts,
    ).toEqual([]);
  });

  it(
    from(
      F,
      'equality-on-dates-with-index',
      'an indexed date matches the same instant as epoch millis or an ISO string',
    ),
    async () => {
      const schema = i.schema({ entities: { posts: i.entity({ date: i.date().indexed() }) }, links: {} });
      const app = await throwawayApp({ schema });
      const ms = 1_700_000_000_123;
      await app.admin.transact(app.admin.tx.posts[id()].update({ date: ms }));
      for (const v of [ms, new Date(ms).toISOString()]) {
        expect(
          ((await app.admin.query({ posts: { $: { where: { date: v } } } })) as any).posts.map((p: any) => p.date),
        ).toEqual([ms]);
        expect(
          ((await app.admin.query({ posts: { $: { where: { date: { $in: [v] } } } } })) as any).posts,
        ).toHaveLength(1);
      }
    },
  );

  it(from(F, 'in-with-types', '$in and equality on string, number, date and boolean attributes'), async () => {
    const app = await throwawayApp({ schema: everyType() });
    await app.admin.transact(
      [0, 1, 2, 3, 4].map((n) =>
        app.admin.tx.etype[id()].update({ string: String(n), number: n, date: n, boolean: n % 2 === 0 }),
      ),
    );
    const run = async (field: string, where: Record<string, unknown>) =>
      new Set(
        (
          (await app.admin.query({ etype: { $: { where } } } as never)) as { etype: Record<string, unknown>[] }
        ).etype.map((x) => x[field]),
      );
    expect(await run('string', { string: { $in: ['3', '4'] } })).toEqual(new Set(['3', '4']));
    expect(await run('string', { string: '2' })).toEqual(new Set(['2']));
    expect(await run('number', { number: { $in: [3, 4] } })).toEqual(new Set([3, 4]));
    expect(await run('number', { number: 2 })).toEqual(new Set([2]));
    expect(await run('date', { date: { $in: [3, 4] } })).toEqual(new Set([3, 4]));
    expect(await run('date', { date: 2 })).toEqual(new Set([2]));
    expect(await run('boolean', { boolean: { $in: [true, false] } })).toEqual(new Set([true, false]));
    expect(await run('boolean', { boolean: false })).toEqual(new Set([false]));
  });

  it(from(F, 'comparators', 'string, number and boolean comparators, equality and $not'), async () => {
    const schema = i.schema({
      entities: {
        etype: i.entity({ string: i.string().indexed(), number: i.number().indexed(), boolean: i.boolean().indexed() }),
      },
      links: {},
    });
    const app = await throwawayApp({ schema });
    await app.admin.transact(
      [0, 1, 2, 3, 4].map((n) =>
        app.admin.tx.etype[id()].update({ string: String(n), number: n, boolean: n % 2 === 0 }),
      ),
    );
    const run = async (field: string, where: Record<string, unknown>) =>
      new Set(
        (
          (await app.admin.query({ etype: { $: { where } } } as never)) as { etype: Record<string, unknown>[] }
        ).etype.map((x) => x[field]),
      );
    expect(await run('string', { string: { $gt: '2' } })).toEqual(new Set(['3', '4']));
    expect(await run('string', { string: { $gte: '2' } })).toEqual(new Set(['2', '3', '4']));
    expect(await run('string', { string: { $lt: '2' } })).toEqual(new Set(['0', '1']));
    expect(await run('string', { string: { $lte: '2' } })).toEqual(new Set(['0', '1', '2']));
    expect(await run('string', { string: '1' })).toEqual(new Set(['1']));
    expect(await run('string', { string: { $not: '1' } })).toEqual(new Set(['0', '2', '3', '4']));
    expect(await run('number', { number: { $gt: 2 } })).toEqual(new Set([3, 4]));
    expect(await run('number', { number: { $gte: 2 } })).toEqual(new Set([2, 3, 4]));
    expect(await run('number', { number: { $lt: 2 } })).toEqual(new Set([0, 1]));
    expect(await run('number', { number: { $lte: 2 } })).toEqual(new Set([0, 1, 2]));
    expect(await run('number', { number: 1 })).toEqual(new Set([1]));
    expect(await run('number', { number: { $not: 1 } })).toEqual(new Set([0, 2, 3, 4]));
    expect(await run('boolean', { boolean: { $gt: true } })).toEqual(new Set());
    expect(await run('boolean', { boolean: { $gt: false } })).toEqual(new Set([true]));
    expect(await run('boolean', { boolean: { $gte: true } })).toEqual(new Set([true]));
    expect(await run('boolean', { boolean: { $lt: false } })).toEqual(new Set());
    expect(await run('boolean', { boolean: { $lt: true } })).toEqual(new Set([false]));
    expect(await run('boolean', { boolean: { $lte: true } })).toEqual(new Set([false, true]));
    expect(await run('boolean', { boolean: true })).toEqual(new Set([true]));
  });

  it(from(F, 'comparators', 'date comparators take epoch millis and ISO strings alike'), async () => {
    const schema = i.schema({ entities: { etype: i.entity({ date: i.date().indexed(), n: i.number() }) }, links: {} });
    const app = await throwawayApp({ schema });
    const base = Date.UTC(2024, 0, 1);
    await app.admin.transact(
      [0, 1, 2, 3, 4].map((n) =>
        app.admin.tx.etype[id()].update({ n, date: n % 2 ? base + n : new Date(base + n).toISOString() }),
      ),
    );
    const ns = async (where: Record<string, unknown>) =>
      ((await app.admin.query({ etype: { $: { where } } } as never)) as { etype: { n: number }[] }).etype
        .map((x) => x.n)
        .sort();
    for (const at of [base + 2, new Date(base + 2).toISOString(), new Date(base + 2)]) {
      expect(await ns({ date: { $gt: at } })).toEqual([3, 4]);
      expect(await ns({ date: { $gte: at } })).toEqual([2, 3, 4]);
      expect(await ns({ date: { $lt: at } })).toEqual([0, 1]);
      expect(await ns({ date: { $lte: at } })).toEqual([0, 1, 2]);
    }
    expect(await ns({ date: { $not: base + 1 } })).toEqual([0, 2, 3, 4]);
    // Ordering by a date mixes both representations by instant.
    const ordered = ((await app.admin.query({ etype: { $: { order: { date: 'desc' } } } })) as any).etype.map(
      (x: any) => x.n,
    );
    expect(ordered).toEqual([4, 3, 2, 1, 0]);
  });
});

describe('query cost (stand-in bound; upstream bounds by a 30 s statement timeout)', () => {
  const shopSchema = i.schema({
    entities: { wallpapers: i.entity({ title: i.string() }), purchases: i.entity({ n: i.number() }) },
    links: {
      wallpaperPurchases: link(['wallpapers', 'many', 'purchases'], ['purchases', 'many', 'wallpapers']),
    },
  });
  /** wallpapers → purchases → wallpapers → … `levels` links deep. */
  const deep = (levels: number) => {
    let form: Record<string, unknown> = {};
    for (let l = levels; l >= 1; l--) form = { [l % 2 ? 'purchases' : 'wallpapers']: form };
    return { wallpapers: form };
  };
  const shop = async () => {
    const app = await throwawayApp({ schema: shopSchema });
    const w = id();
    const p = id();
    await app.admin.transact([
      app.admin.tx.wallpapers[w].update({ title: 'Dunes' }),
      app.admin.tx.purchases[p].update({ n: 1 }).link({ wallpapers: w }),
    ]);
    return app;
  };

  async function rawSocket(app: ThrowawayApp) {
    const socket = await frameSocket(app);
    socket.send({ op: 'init', 'app-id': app.appId, 'client-event-id': 'init' });
    await socket.next((m) => m.op === 'init-ok');
    return socket;
  }

  it(
    from(
      'instaql.clj',
      'query timeout',
      'a guest’s too-deep query over raw frames is refused; another client still answers',
    ),
    async () => {
      const app = await shop();
      const attacker = await rawSocket(app);
      const other = await rawSocket(app);
      attacker.send({ op: 'add-query', q: deep(40), 'client-event-id': 'deep' });
      const err = await attacker.next((m) => m['client-event-id'] === 'deep');
      expect(err).toMatchObject({
        op: 'error',
        status: 500,
        type: 'timeout',
        message: 'The query took too long to complete.',
        hint: { limit: 'maxDepth', message: expect.stringContaining('more than 12 levels') },
        'original-event': { op: 'add-query', q: deep(40) },
      });
      other.send({ op: 'add-query', q: { wallpapers: { purchases: {} } }, 'client-event-id': 'ok' });
      const ok = await other.next((m) => m['client-event-id'] === 'ok');
      expect(ok.op).toBe('add-query-ok');
      expect(JSON.stringify(ok.result)).toContain('Dunes');
      // The refused socket keeps working too, and a query at the bound answers.
      attacker.send({ op: 'add-query', q: deep(12), 'client-event-id': 'at-bound' });
      expect((await attacker.next((m) => m['client-event-id'] === 'at-bound')).op).toBe('add-query-ok');
      attacker.ws.close();
      other.ws.close();
    },
  );

  it(
    from(
      'instaql.clj',
      'query timeout',
      'the client SDK gets the refusal as a query error; another SDK client still answers',
    ),
    async () => {
      const app = await shop();
      const attacker = app.client();
      const err = await new Promise<{ message: string; hint?: any }>((resolve) => {
        const unsub = attacker.subscribeQuery(deep(30) as never, (r: any) => {
          if (r.error) {
            queueMicrotask(() => unsub());
            resolve(r.error);
          }
        });
      });
      expect(err).toMatchObject({ message: 'The query took too long to complete.', hint: { limit: 'maxDepth' } });
      const { data } = await app.client().queryOnce({ wallpapers: { purchases: {} } });
      expect(data.wallpapers.map((x: any) => x.title)).toEqual(['Dunes']);
    },
  );

  it(from('util/http.clj', 'wrap-errors', 'over HTTP the refusal is 429 {type: timeout, message, hint}'), async () => {
    const app = await shop();
    const { status, body } = await refused(app, deep(25), { 'as-guest': 'true' });
    expect(status).toBe(429);
    expect(body).toMatchObject({
      type: 'timeout',
      message: 'The query took too long to complete.',
      hint: { limit: 'maxDepth', maxDepth: 12 },
    });
    expect(((await app.admin.query({ wallpapers: {} })) as any).wallpapers).toHaveLength(1);
  });

  it(
    from(
      'instaql.clj',
      'query timeout',
      'a shallow query that fans out past the work bound is refused, a paged one answers',
    ),
    async () => {
      const app = await throwawayApp({ schema: shopSchema });
      const ws = Array.from({ length: 30 }, () => id());
      const ps = Array.from({ length: 30 }, () => id());
      await app.admin.transact([
        ...ws.map((w, n) => app.admin.tx.wallpapers[w].update({ title: `w${n}` })),
        ...ps.map((p, n) => app.admin.tx.purchases[p].update({ n }).link({ wallpapers: ws })),
      ]);
      // 30 × 30 × 30 × 30 × 30 entity visits: far past the bound, though only five levels deep.
      const { status, body } = await refused(app, deep(4), { 'as-guest': 'true' });
      expect(status).toBe(429);
      expect(body).toMatchObject({ type: 'timeout', hint: { limit: 'maxVisits' } });
      const paged = (await app.admin.query({ wallpapers: { $: { limit: 1 }, purchases: {} } })) as any;
      expect(paged.wallpapers[0].purchases).toHaveLength(30);
    },
  );
});

describe('live queries that stop answering', () => {
  it(
    from(
      'reactive/session.clj',
      'handle-refresh!',
      'a live query that a commit pushes past the bound reports the error to its subscriber',
    ),
    async () => {
      const schema = i.schema({
        entities: { wallpapers: i.entity({ title: i.string() }), purchases: i.entity({ n: i.number() }) },
        links: {
          wallpaperPurchases: link(['wallpapers', 'many', 'purchases'], ['purchases', 'many', 'wallpapers']),
        },
      });
      const app = await throwawayApp({ schema });
      const q = { wallpapers: { purchases: { wallpapers: { purchases: { wallpapers: {} } } } } };
      const db = app.client();
      const seen: { ok: number; error?: { message: string; hint?: any } } = { ok: 0 };
      let wake = () => {};
      const unsub = db.subscribeQuery(q as never, (r: any) => {
        if (r.error) seen.error = r.error;
        else if (r.data) seen.ok++;
        wake();
      });
      const until = (pred: () => boolean) =>
        new Promise<void>((resolve) => {
          wake = () => pred() && resolve();
          wake();
        });
      await until(() => seen.ok > 0);
      const ws = Array.from({ length: 30 }, () => id());
      const ps = Array.from({ length: 30 }, () => id());
      await app.admin.transact([
        ...ws.map((w, n) => app.admin.tx.wallpapers[w].update({ title: `w${n}` })),
        ...ps.map((p, n) => app.admin.tx.purchases[p].update({ n }).link({ wallpapers: ws })),
      ]);
      await until(() => Boolean(seen.error));
      expect(seen.error).toMatchObject({
        message: 'The query took too long to complete.',
        hint: { limit: 'maxVisits' },
      });
      unsub();
      // Everyone else is still answered.
      expect((await app.client().queryOnce({ wallpapers: { $: { limit: 2 } } })).data.wallpapers).toHaveLength(2);
    },
  );
});

describe('where, more operators', () => {
  it(from(F, 'where-in', '`in` with and without matches'), async () => {
    const app = await zeneca();
    expect(await handles(app, { where: { handle: { in: ['nobody'] } } })).toEqual([]);
    expect((await handles(app, { where: { handle: { in: ['joe', 'stopa'] } } })).sort()).toEqual(['joe', 'stopa']);
    expect((await handles(app, { where: { handle: { $in: ['joe', 'stopa'] } } })).sort()).toEqual(['joe', 'stopa']);
  });

  it(from(F, 'where-$like', '$like matches whole values with % and _ wildcards, case-sensitively'), async () => {
    const app = await zeneca();
    expect(await handles(app, { where: { handle: { $like: '%moop%' } } })).toEqual([]);
    expect(await handles(app, { where: { handle: { $like: 'joe' } } })).toEqual(['joe']);
    expect(await handles(app, { where: { handle: { $like: 'al%' } } })).toEqual(['alex']);
    expect(await handles(app, { where: { handle: { $like: '%gf' } } })).toEqual(['nicolegf']);
    expect(await handles(app, { where: { handle: { $like: '_oe' } } })).toEqual(['joe']);
    expect(await handles(app, { where: { handle: { $like: 'JOE' } } })).toEqual([]);
  });

  it(from(F, 'where-$ilike', '$ilike ignores case'), async () => {
    const app = await zeneca();
    expect(await handles(app, { where: { handle: { $ilike: '%moop%' } } })).toEqual([]);
    expect(await handles(app, { where: { handle: { $ilike: 'JOE' } } })).toEqual(['joe']);
    expect(await handles(app, { where: { handle: { $ilike: 'NICOLE%' } } })).toEqual(['nicolegf']);
    // Over raw HTTP (past the SDK's own check) an unindexed attribute is refused as upstream does.
    const { status, body } = await refused(app, { users: { $: { where: { fullName: { $ilike: '%AVERBUKH' } } } } });
    expect(status).toBe(400);
    expect(body.message).toBe(
      'Validation failed for query: The `users.fullName` attribute must be indexed to use comparison operators.',
    );
  });

  it(from(F, 'where-or', '`or` of clauses, including through links'), async () => {
    const app = await zeneca();
    expect((await handles(app, { where: { or: [{ handle: 'joe' }, { handle: 'stopa' }] } })).sort()).toEqual([
      'joe',
      'stopa',
    ]);
    expect(
      (await handles(app, { where: { or: [{ handle: 'nicolegf' }, { 'bookshelves.name': 'Nonfiction' }] } })).sort(),
    ).toEqual(['alex', 'nicolegf']);
  });

  it(from(F, 'where-and', '`and` of clauses on the same attribute'), async () => {
    const app = await zeneca();
    expect(
      await handles(app, {
        where: { and: [{ 'bookshelves.name': 'Worldview' }, { 'bookshelves.name': 'Short Stories' }] },
      }),
    ).toEqual(['stopa']);
    expect(await handles(app, { where: { and: [{ handle: 'joe' }, { handle: 'stopa' }] } })).toEqual([]);
  });

  it(from(F, 'where-$not-with-nils', '$not and $ne match null and missing values'), async () => {
    const schema = i.schema({
      entities: { books: i.entity({ title: i.string(), val: i.string().optional() }) },
      links: {},
    });
    const app = await throwawayApp({ schema });
    await app.admin.transact([
      app.admin.tx.books[id()].update({ title: 'a', val: 'a' }),
      app.admin.tx.books[id()].update({ title: 'b', val: 'b' }),
      app.admin.tx.books[id()].update({ title: 'null', val: null as never }),
      app.admin.tx.books[id()].update({ title: 'undefined' }),
    ]);
    for (const op of ['$not', '$ne']) {
      const r = (await app.admin.query({ books: { $: { where: { val: { [op]: 'a' } } } } } as never)) as {
        books: { title: string }[];
      };
      expect(r.books.map((b) => b.title).sort()).toEqual(['b', 'null', 'undefined']);
    }
  });

  it(
    from(F, '$isNull-and-$not-with-every-type', '$isNull and $not on string, number, date and boolean attributes'),
    async () => {
      const schema = i.schema({
        entities: {
          etype: i.entity({
            label: i.string(),
            string: i.string().optional().indexed(),
            number: i.number().optional().indexed(),
            date: i.date().optional().indexed(),
            boolean: i.boolean().optional().indexed(),
          }),
        },
        links: {},
      });
      const app = await throwawayApp({ schema });
      await app.admin.transact([
        ...['a', 'b', 'c'].map((label, n) =>
          app.admin.tx.etype[id()].update({ label, string: String(n), number: n, date: n, boolean: n % 2 === 0 }),
        ),
        app.admin.tx.etype[id()].update({
          label: 'null',
          string: null,
          number: null,
          date: null,
          boolean: null,
        } as never),
        app.admin.tx.etype[id()].update({ label: 'undefined' }),
      ]);
      const labels = async (where: Record<string, unknown>) =>
        ((await app.admin.query({ etype: { $: { where } } } as never)) as { etype: { label: string }[] }).etype
          .map((x) => x.label)
          .sort();
      for (const attr of ['string', 'number', 'date', 'boolean']) {
        expect(await labels({ [attr]: { $isNull: true } }), attr).toEqual(['null', 'undefined']);
        expect(await labels({ [attr]: { $isNull: false } }), attr).toEqual(['a', 'b', 'c']);
      }
      expect(await labels({ string: { $not: '1' } })).toEqual(['a', 'c', 'null', 'undefined']);
      expect(await labels({ number: { $not: 1 } })).toEqual(['a', 'c', 'null', 'undefined']);
      expect(await labels({ date: { $not: 1 } })).toEqual(['a', 'c', 'null', 'undefined']);
      expect(await labels({ boolean: { $not: false } })).toEqual(['a', 'c', 'null', 'undefined']);
    },
  );

  const cardinalities = [
    ['1-to-1', 'one', 'one'],
    ['1-to-many', 'one', 'many'],
    ['many-to-1', 'many', 'one'],
    ['many-to-many', 'many', 'many'],
  ] as const;
  it.each(cardinalities)(
    '%s: ' + from(F, 'where-$not-$isNull-with-links-*', '$isNull and $not through a link'),
    async (_name, fwdHas, revHas) => {
      const schema = i.schema({
        entities: {
          fwd: i.entity({ label: i.string(), prop: i.string().optional() }),
          rev: i.entity({ label: i.string(), prop: i.string().optional() }),
        },
        links: {
          fr: { forward: { on: 'fwd', has: fwdHas, label: 'rev' }, reverse: { on: 'rev', has: revHas, label: 'fwd' } },
        },
      });
      const app = await throwawayApp({ schema });
      const ids: Record<string, string> = {};
      const steps = [];
      for (const side of ['fwd', 'rev'] as const) {
        for (const k of ['a', 'b', 'c', 'd', 'null', 'undefined']) {
          const label = `${side}-${k}`;
          ids[label] = id();
          const prop = k === 'undefined' ? {} : { prop: k === 'null' ? null : k };
          steps.push(app.admin.tx[side][ids[label]].update({ label, ...prop } as never));
        }
      }
      await app.admin.transact(steps);
      await app.admin.transact(app.admin.tx.fwd[ids['fwd-a']].link({ rev: ids['rev-a'] }));
      const labels = async (etype: 'fwd' | 'rev', where: Record<string, unknown>) =>
        ((await app.admin.query({ [etype]: { $: { where } } } as never)) as Record<string, { label: string }[]>)[etype]
          .map((x) => x.label)
          .sort();
      const others = (side: string) => ['b', 'c', 'd', 'null', 'undefined'].map((k) => `${side}-${k}`);
      expect(await labels('fwd', { 'rev.prop': { $isNull: true } })).toEqual(others('fwd'));
      expect(await labels('fwd', { 'rev.prop': { $isNull: false } })).toEqual(['fwd-a']);
      expect(await labels('fwd', { 'rev.prop': { $not: 'a' } })).toEqual(others('fwd'));
      expect(await labels('rev', { 'fwd.prop': { $not: 'a' } })).toEqual(others('rev'));
      expect(await labels('rev', { 'fwd.prop': { $isNull: true } })).toEqual(others('rev'));
      expect(await labels('rev', { 'fwd.prop': { $isNull: false } })).toEqual(['rev-a']);
      await app.admin.transact([
        app.admin.tx.fwd[ids['fwd-null']].link({ rev: ids['rev-b'] }),
        app.admin.tx.fwd[ids['fwd-undefined']].link({ rev: ids['rev-c'] }),
      ]);
      expect(await labels('rev', { 'fwd.prop': { $isNull: true } })).toEqual(others('rev'));
    },
  );
});

describe('missing attributes', () => {
  it(
    from(F, 'missing-attrs', 'unknown namespaces, where attributes and links answer empty, not an error'),
    async () => {
      const app = await zeneca();
      // Raw HTTP: the SDKs check queries against their schema before sending.
      const raw = async (query: unknown) => {
        const res = await app.http('POST', '/admin/query', { query });
        expect(res.status).toBe(200);
        return (await res.json()) as Record<string, any[]>;
      };
      expect(await raw({ zippy: {} })).toEqual({ zippy: [] });
      expect((await raw({ users: { $: { where: { 'bookshelves.zippy': 'alex' } } } })).users).toEqual([]);
      expect(
        (await raw({ users: { $: { where: { or: [{ zippy: 1 }, { handle: 'joe' }] } } } })).users.map((u) => u.handle),
      ).toEqual(['joe']);
      const r = await raw({ users: { zippy: {} } });
      expect(r.users.map((u) => [u.handle, u.zippy])).toEqual([
        ['stopa', []],
        ['joe', []],
        ['alex', []],
        ['nicolegf', []],
      ]);
    },
  );
});

describe('ordering every type', () => {
  it(
    from(
      F,
      'arbitrary-order-by-all-types',
      'order, where + order and an `after` cursor on string, number, date and boolean',
    ),
    async () => {
      const app = await throwawayApp({ schema: everyType({ label: i.string() }) });
      const ids = ['a', 'b', 'c', 'd', 'e'].map(() => id());
      await app.admin.transact(
        ids.map((x, n) =>
          app.admin.tx.etype[x].update({ label: 'abcde'[n], string: String(n), number: n, date: n, boolean: n >= 2 }),
        ),
      );
      const attrId = async (label: string) =>
        (await clientView(app, { etype: { $: { limit: 1, order: { [label]: 'asc' } } } })).pageInfo!.etype
          .startCursor[1] as string;
      const run = async (field: string, $: Record<string, unknown>) =>
        ((await app.admin.query({ etype: { $ } } as never)) as { etype: Record<string, unknown>[] }).etype.map(
          (x) => x[field],
        );
      const as: [string, (n: number) => unknown][] = [
        ['string', String],
        ['number', (n) => n],
        ['date', (n) => n],
      ];
      for (const [field, v] of as) {
        expect(await run(field, { order: { [field]: 'asc' } })).toEqual([0, 1, 2, 3, 4].map(v));
        expect(await run(field, { order: { [field]: 'desc' } })).toEqual([4, 3, 2, 1, 0].map(v));
        expect(await run(field, { where: { [field]: { $gte: v(2) } }, order: { [field]: 'desc' } })).toEqual(
          [4, 3, 2].map(v),
        );
        expect(await run(field, { order: { [field]: 'asc' }, after: [ids[2], await attrId(field), v(2), 0] })).toEqual(
          [3, 4].map(v),
        );
      }
      expect(await run('boolean', { order: { boolean: 'asc' } })).toEqual([false, false, true, true, true]);
      expect(await run('boolean', { order: { boolean: 'desc' } })).toEqual([true, true, true, false, false]);
      expect(await run('boolean', { where: { boolean: { $gte: true } }, order: { boolean: 'desc' } })).toEqual([
        true,
        true,
        true,
      ]);
    },
  );

  it(from(F, 'fields', '`fields` limits the attributes returned at every level'), async () => {
    const app = await zeneca();
    const r = (await app.admin.query({
      users: { $: { where: { handle: 'stopa' }, fields: ['fullName'] }, bookshelves: { $: { fields: ['order'] } } },
    })) as any;
    expect(r.users).toEqual([
      {
        id: app.ids.stopa,
        fullName: 'Stepan Parunashvili',
        bookshelves: [
          { id: app.ids.Worldview, order: 0 },
          { id: app.ids['Short Stories'], order: 1 },
        ],
      },
    ]);
  });
});

describe('links in where and child forms', () => {
  it(from(F, 'eid-relations', 'a where on a link label matches the linked id, forward and reverse'), async () => {
    const app = await zeneca();
    expect(await handles(app, { where: { bookshelves: app.ids.Worldview } })).toEqual(['stopa']);
    const shelves = (await app.admin.query({ bookshelves: { $: { where: { users: app.ids.alex } } } })) as unknown as {
      bookshelves: { name: string }[];
    };
    expect(shelves.bookshelves.map((b) => b.name)).toEqual(['Nonfiction']);
  });

  it(from(F, 'child-forms', 'a child form’s where filters the children, not the parents'), async () => {
    const app = await zeneca();
    const q = async (where?: Record<string, unknown>) =>
      (
        (await app.admin.query({
          users: { $: { where: { handle: 'stopa' } }, bookshelves: where ? { $: { where } } : {} },
        } as never)) as any
      ).users.map((u: any) => [u.handle, u.bookshelves.map((b: any) => b.name)]);
    expect(await q()).toEqual([['stopa', ['Worldview', 'Short Stories']]]);
    expect(await q({ name: 'Short Stories' })).toEqual([['stopa', ['Short Stories']]]);
    expect(await q({ name: 'nothing' })).toEqual([['stopa', []]]);
  });

  it(from(F, 'multiple-where', 'several conditions, one through a link, must all hold'), async () => {
    const app = await zeneca();
    expect(await handles(app, { where: { 'bookshelves.name': 'Worldview', handle: 'stopa' } })).toEqual(['stopa']);
    expect(await handles(app, { where: { 'bookshelves.name': 'Worldview', handle: 'joe' } })).toEqual([]);
  });

  it(from(F, 'or-stress-test', 'nested and/or clauses'), async () => {
    const app = await zeneca();
    expect(
      await handles(app, {
        where: { and: [{ or: [{ and: [{ handle: 'stopa' }] }] }, { or: [{ handle: 'stopa' }, { handle: 'joe' }] }] },
      }),
    ).toEqual(['stopa']);
    expect(
      (
        await handles(app, {
          where: {
            or: [
              { and: [{ handle: 'stopa' }, { 'bookshelves.name': 'Worldview' }] },
              { and: [{ handle: 'alex' }, { bookshelves: { $isNull: false } }] },
            ],
          },
        })
      ).sort(),
    ).toEqual(['alex', 'stopa']);
  });
});

describe('paging as a stranger', () => {
  const schema = i.schema({
    entities: { docs: i.entity({ n: i.number().indexed(), public: i.boolean() }) },
    links: {},
  });
  const rules = { docs: { allow: { view: 'data.public == true' } } };

  it(
    from(F, 'read-perms', 'pages, cursors and has-next/previous never reveal rows the viewer may not see'),
    async () => {
      const app = await throwawayApp({ schema, rules });
      await app.admin.transact([1, 2, 3, 4, 5, 6].map((n) => app.admin.tx.docs[id()].update({ n, public: n <= 3 })));
      const guest = app.client();
      const first = (await guest.queryOnce({ docs: { $: { limit: 2, order: { n: 'asc' } } } })) as any;
      expect(first.data.docs.map((d: any) => d.n)).toEqual([1, 2]);
      expect(first.pageInfo.docs).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const next = (await guest.queryOnce({
        docs: { $: { limit: 2, after: first.pageInfo.docs.endCursor, order: { n: 'asc' } } },
      })) as any;
      expect(next.data.docs.map((d: any) => d.n)).toEqual([3]);
      // Rows 4–6 exist but are hidden: no next page, and the end cursor is the last visible row.
      expect(next.pageInfo.docs).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      expect(next.pageInfo.docs.endCursor[2]).toBe(3);
    },
  );

  it(from(F, 'validations', 'a stranger’s forged cursors over raw frames are refused or reveal nothing'), async () => {
    const app = await throwawayApp({ schema, rules });
    await app.admin.transact([1, 2, 3, 4].map((n) => app.admin.tx.docs[id()].update({ n, public: n === 1 })));
    const ws = new WebSocket(`${app.url.replace(/^http/, 'ws')}/runtime/session?app_id=${app.appId}`);
    const inbox: any[] = [];
    let wake = () => {};
    ws.on('message', (d) => {
      inbox.push(JSON.parse(d.toString()));
      wake();
    });
    await new Promise((r) => ws.once('open', r));
    const reply = (eventId: string) =>
      new Promise<any>((resolve) => {
        wake = () => {
          const m = inbox.find((x) => x['client-event-id'] === eventId);
          if (m) resolve(m);
        };
        wake();
      });
    const send = (m: unknown) => ws.send(JSON.stringify(m));
    send({ op: 'init', 'app-id': app.appId, 'client-event-id': 'i' });
    await reply('i');
    send({ op: 'add-query', q: { docs: { $: { after: 'x', order: { n: 'asc' } } } }, 'client-event-id': 'bad' });
    expect(await reply('bad')).toMatchObject({
      op: 'error',
      status: 400,
      type: 'validation-failed',
      message: expect.stringContaining('Expected a join row for the cursor'),
    });
    send({
      op: 'add-query',
      q: { docs: { $: { after: ['e', 'not-a-uuid', 1, 0], order: { n: 'asc' } } } },
      'client-event-id': 'bad-attr',
    });
    expect((await reply('bad-attr')).message).toContain('uuid attribute id in the second position');
    // A well-formed cursor anywhere in the order sees only visible rows.
    const { pageInfo } = (await app.client().queryOnce({ docs: { $: { limit: 1, order: { n: 'asc' } } } })) as any;
    const [, attrId] = pageInfo.docs.startCursor;
    send({
      op: 'add-query',
      q: { docs: { $: { after: ['00000000-0000-4000-8000-000000000000', attrId, 0, 0], order: { n: 'asc' } } } },
      'client-event-id': 'probe',
    });
    const probe = await reply('probe');
    expect(probe.op).toBe('add-query-ok');
    const values = probe.result[0].data['datalog-result']['join-rows'][0]
      .filter((t: any[]) => t[1] === attrId)
      .map((t: any[]) => t[2]);
    expect(values).toEqual([1]);
    expect(probe.result[0].data['page-info'].docs).toMatchObject({
      'has-next-page?': false,
      'has-previous-page?': false,
    });
    ws.close();
  });
});
