// Admin transactions and queries over raw `/admin/transact` + `/admin/query` HTTP, as upstream's
// server/test/instant/admin/routes_test.clj calls transact-post / query-post with named steps.
import { describe, expect, it } from 'vitest';
import { i, id } from '@instantdb/core';
import { link } from '../fixtures.test-schema.ts';
import { from, throwawayApp, type ThrowawayApp } from './harness.ts';
import { attrDef, rawSession } from './raw-session.ts';

const F = 'routes_test.clj';

// The parts of upstream's zeneca fixture these cases use.
const zeneca = i.schema({
  entities: {
    users: i.entity({ handle: i.string().unique().indexed(), name: i.string().optional() }),
    bookshelves: i.entity({ name: i.string().optional(), slug: i.string().unique().indexed().optional() }),
    books: i.entity({ title: i.string().optional() }),
    goals: i.entity({ title: i.string().optional() }),
    spans: i.entity({ linkOn: i.string().unique().indexed().optional() }),
  },
  links: {
    userShelves: link(['users', 'many', 'bookshelves'], ['bookshelves', 'many', 'users']),
    spanParent: link(['spans', 'one', 'parentSpan'], ['spans', 'many', 'childSpans']),
  },
});

async function tx(app: ThrowawayApp, steps: unknown[], extra: Record<string, unknown> = {}) {
  const res = await app.http('POST', '/admin/transact', { steps, ...extra });
  return { status: res.status, body: (await res.json()) as any };
}
async function q(app: ThrowawayApp, query: unknown, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await app.http('POST', '/admin/query', { query, ...extra });
  expect(res.status, 'query status').toBe(200);
  return res.json();
}
async function ok(app: ThrowawayApp, steps: unknown[]) {
  const r = await tx(app, steps);
  expect(r, JSON.stringify(steps)).toMatchObject({ status: 200, body: { 'tx-id': expect.any(Number) } });
}
const firstError = (r: { body: any }) => r.body?.hint?.errors?.[0];

describe('admin transact: attributes made on the fly', () => {
  it(
    from(
      F,
      'strong-init-and-inference',
      'a link attr added by add-attr; queries with and without inference; throw-on-missing-attrs',
    ),
    async () => {
      const app = await throwawayApp();
      const [goal, user] = [id(), id()];
      await ok(app, [
        [
          'add-attr',
          attrDef('goals', 'owner', { 'reverse-identity': [id(), 'users', 'ownedGoals'], 'value-type': 'ref' }),
        ],
      ]);
      await ok(app, [
        ['update', 'goals', goal, { title: 'get fit' }],
        ['update', 'users', user, { name: 'stopa' }],
        ['link', 'goals', goal, { owner: user }],
      ]);
      const plain = (await q(app, { goals: { owner: {} } })).goals[0];
      expect(plain.title).toBe('get fit');
      expect(plain.owner).toHaveLength(1);
      expect(plain.owner[0].name).toBe('stopa');
      // With inference a has-one link comes back as the object itself.
      const inferred = (await q(app, { goals: { owner: {} } }, { 'inference?': true })).goals[0];
      expect(inferred.owner).toMatchObject({ name: 'stopa' });

      const missing = await tx(app, [['update', 'goals', goal, { myFavoriteColor: 'purple' }]], {
        'throw-on-missing-attrs?': true,
      });
      expect(missing.status).toBe(400);
      expect(new Set(firstError(missing)?.hint?.attributes)).toEqual(new Set(['goals.myFavoriteColor']));
    },
  );

  it(
    from(
      F,
      'obj-actions-optimistically-create-attrs',
      'create, update, merge, link and unlink each create the attributes they name',
    ),
    async () => {
      const app = await throwawayApp();
      const [c, u, m, ls, lt, us, ut] = [id(), id(), id(), id(), id(), id(), id()];
      await ok(app, [
        ['create', 'test_entities', c, { created_attr: 'created_value' }],
        ['update', 'test_entities', u, { updated_attr: 'updated_value' }],
        ['merge', 'test_entities', m, { merged_attr: 'merged_value' }],
        ['update', 'test_sources', ls, { name: 'source' }],
        ['update', 'test_targets', lt, { name: 'target' }],
        ['link', 'test_sources', ls, { test_targets: lt }],
        ['update', 'test_sources', us, { name: 'unlink-source' }],
        ['update', 'test_targets', ut, { name: 'unlink-target' }],
        ['link', 'test_sources', us, { test_targets: ut }],
        ['unlink', 'test_sources', us, { test_targets: ut }],
      ]);
      const r = await q(app, { test_entities: {}, test_sources: { test_targets: {} } });
      const byId = (list: any[], eid: string) => list.find((e) => e.id === eid);
      expect(byId(r.test_entities, c).created_attr).toBe('created_value');
      expect(byId(r.test_entities, u).updated_attr).toBe('updated_value');
      expect(byId(r.test_entities, m).merged_attr).toBe('merged_value');
      expect(byId(r.test_sources, ls).test_targets).toHaveLength(1);
      expect(byId(r.test_sources, us).test_targets).toHaveLength(0);
    },
  );

  it(from(F, 'ignore-id-in-transaction', 'an "id" among the attributes does not change the entity id'), async () => {
    const app = await throwawayApp();
    const expected = id();
    await ok(app, [['update', 'items', expected, { id: id(), name: 'book' }]]);
    const items = (await q(app, { items: {} })).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: expected, name: 'book' });
  });

  it(from(F, 'link-unlink-multi', 'link and unlink take lists of ids'), async () => {
    const app = await throwawayApp();
    const [s1, s2, s3, user] = [id(), id(), id(), id()];
    const names = async () =>
      new Set(
        (await q(app, { users: { bookshelves: {} } })).users.flatMap((u: any) => u.bookshelves.map((b: any) => b.name)),
      );
    await ok(app, [
      ['update', 'users', user, { handle: 'bobby' }],
      ['link', 'users', user, { bookshelves: [s1, s2] }],
      ['update', 'bookshelves', s1, { name: 'my books 1' }],
      ['update', 'bookshelves', s2, { name: 'my books 2' }],
    ]);
    expect(await names()).toEqual(new Set(['my books 1', 'my books 2']));
    await ok(app, [
      ['update', 'bookshelves', s3, { name: 'my books 3' }],
      ['unlink', 'users', user, { bookshelves: [s1, s2] }],
      ['link', 'users', user, { bookshelves: [s3] }],
    ]);
    expect(await names()).toEqual(new Set(['my books 3']));
  });

  it(from(F, 'link-without-update', 'link two entities created with no attributes'), async () => {
    const app = await throwawayApp();
    const [user, task] = [id(), id()];
    await ok(app, [
      ['create', 'users', user, {}],
      ['create', 'tasks', task, {}],
    ]);
    await ok(app, [['link', 'users', user, { tasks: task }]]);
    const users = (await q(app, { users: { $: { where: { id: user } }, tasks: {} } })).users;
    expect(users[0].id).toBe(user);
    expect(users[0].tasks.map((t: any) => t.id)).toEqual([task]);
  });
});

describe('admin transact: lookups', () => {
  async function zenecaApp() {
    const app = await throwawayApp({ schema: zeneca });
    const [alex, shelfA, shelfB] = [id(), id(), id()];
    await ok(app, [
      ['update', 'users', id(), { handle: 'stopa' }],
      ['update', 'users', id(), { handle: 'joe' }],
      ['update', 'users', alex, { handle: 'alex' }],
      ['update', 'bookshelves', shelfA, { name: 'a' }],
      ['update', 'bookshelves', shelfB, { name: 'b' }],
      ['link', 'users', alex, { bookshelves: [shelfA, shelfB] }],
    ]);
    return app;
  }
  const byHandle = async (app: ThrowawayApp, handle: string, sub: Record<string, unknown> = {}) =>
    (await q(app, { users: { $: { where: { handle } }, ...sub } })).users[0];

  it(from(F, 'lookups', 'update, delete, unlink and link by a unique attribute'), async () => {
    const app = await zenecaApp();
    await ok(app, [['update', 'users', ['handle', 'stopa'], { handle: 'stopa2' }]]);
    expect((await byHandle(app, 'stopa2'))?.handle).toBe('stopa2');

    expect((await byHandle(app, 'joe'))?.handle).toBe('joe');
    await ok(app, [['delete', 'users', ['handle', 'joe']]]);
    expect(await byHandle(app, 'joe')).toBeUndefined();

    const before = (await byHandle(app, 'alex', { bookshelves: {} })).bookshelves;
    expect(before.length).toBeGreaterThan(0);
    await ok(app, [['unlink', 'users', ['handle', 'alex'], { bookshelves: before[0].id }]]);
    expect((await byHandle(app, 'alex', { bookshelves: {} })).bookshelves).toHaveLength(before.length - 1);
    await ok(app, [['link', 'users', ['handle', 'alex'], { bookshelves: before[0].id }]]);
    expect((await byHandle(app, 'alex', { bookshelves: {} })).bookshelves).toHaveLength(before.length);
  });

  it(
    from(F, 'lookups-in-links-create-entities', 'link and unlink on a lookup that names nobody yet create that user'),
    async () => {
      const app = await zenecaApp();
      const shelf = id();
      await ok(app, [['update', 'bookshelves', shelf, { name: "bobby's bookshelf", slug: 'bobbys_bookshelf' }]]);
      const handles = async () => new Set((await q(app, { users: {} })).users.map((u: any) => u.handle));
      await ok(app, [['link', 'users', ['handle', 'bobby_newuser'], { bookshelves: shelf }]]);
      expect(await handles()).toContain('bobby_newuser');
      await ok(app, [['unlink', 'users', ['handle', 'tommy_newuser'], { bookshelves: shelf }]]);
      expect(await handles()).toContain('tommy_newuser');
    },
  );

  it(
    from(F, 'lookup-creates-attrs', 'on a schemaless app a lookup creates its unique attribute, also through a link'),
    async () => {
      const app = await throwawayApp();
      const changeKey = await tx(app, [['update', 'users', ['handle', 'stopa'], { handle: 'stopa2' }]]);
      expect(changeKey.status).toBe(400);
      expect(firstError(changeKey)?.message).toBe(
        'Updates with lookups can only update the lookup attribute if an entity with the unique attribute value already exists.',
      );
      await ok(app, [['update', 'users', ['handle', 'stopa'], { name: 'Stepan' }]]);
      const stopa = (await q(app, { users: { $: { where: { handle: 'stopa' } } } })).users[0];
      expect(stopa.name).toBe('Stepan');
      // A lookup through a link label (`users.id`) creates the link attribute too.
      await ok(app, [['update', 'user_prefs', ['users.id', stopa.id], { pref_b: 'pref_b_value' }]]);
      const prefs = (await q(app, { users: { $: { where: { handle: 'stopa' } }, user_prefs: {} } })).users[0]
        .user_prefs;
      expect(prefs[0].pref_b).toBe('pref_b_value');
    },
  );

  it(
    from(F, 'lookup-creates-attrs', "a stranger's link lookup that names nothing still meets the create rule"),
    async () => {
      const prefs = i.schema({
        entities: {
          users: i.entity({ handle: i.string().unique().indexed() }),
          user_prefs: i.entity({ pref: i.string().optional() }),
        },
        links: {
          prefsUser: link(['user_prefs', 'one', 'users'], ['users', 'one', 'user_prefs']),
        },
      });
      const app = await throwawayApp({ schema: prefs, rules: { user_prefs: { allow: { create: 'false' } } } });
      const victim = id();
      await ok(app, [['update', 'users', victim, { handle: 'victim' }]]);
      const s = await rawSession(app);
      try {
        const byLink = [s.attr('user_prefs', 'users'), victim];
        const r = await s.transact([
          ['add-triple', byLink, s.attr('user_prefs', 'id'), byLink],
          ['add-triple', byLink, s.attr('user_prefs', 'pref'), 'planted'],
        ]);
        expect(r).toMatchObject({ op: 'error', type: 'permission-denied' });
      } finally {
        s.close();
      }
      expect((await q(app, { user_prefs: {} })).user_prefs).toEqual([]);
      // The admin may: the same lookup creates the prefs linked to that user.
      await ok(app, [['update', 'user_prefs', ['users.id', victim], { pref: 'admin' }]]);
      expect((await q(app, { users: { user_prefs: {} } })).users[0].user_prefs).toMatchObject([{ pref: 'admin' }]);
    },
  );

  it(from(F, 'lookups-in-links-create-attrs', 'lookups on both sides of a link on a schemaless app'), async () => {
    const app = await throwawayApp();
    await ok(app, [
      ['update', 'users', ['handle', 'stopa'], { name: 'Stepan' }],
      ['update', 'tasks', ['slug', 'task-a'], {}],
      ['link', 'users', ['handle', 'stopa'], { tasks: { slug: 'task-a' } }],
    ]);
    const user = (await q(app, { users: { $: { where: { handle: 'stopa' } }, tasks: {} } })).users[0];
    expect(user.name).toBe('Stepan');
    expect(user.tasks.map((t: any) => t.slug)).toEqual(['task-a']);
  });

  it(
    from(F, 'lookups-in-links-dont-override-attrs', 'a lookup link to the same namespace keeps the existing attrs'),
    async () => {
      const app = await throwawayApp();
      const attr = (label: string, extra: Record<string, unknown> = {}) => [
        'add-attr',
        attrDef('posts', label, { 'unique?': true, ...extra }),
      ];
      await ok(app, [attr('id'), attr('slug'), attr('parent', { 'reverse-identity': [id(), 'posts', 'child'] })]);
      await ok(app, [
        ['update', 'posts', ['slug', 'new-post'], {}],
        ['link', 'posts', ['slug', 'new-post'], { child: { slug: 'new-post' } }],
      ]);
      const post = (await q(app, { posts: { $: { where: { slug: 'new-post' } } } })).posts;
      expect(post).toHaveLength(1);
    },
  );
});

describe('admin transact: step validation', () => {
  it(from(F, 'transact-test', 'add-attr and delete-attr steps; an unknown action is refused'), async () => {
    const app = await throwawayApp();
    await ok(app, [
      ['add-attr', attrDef('floopy', 'id')],
      ['add-attr', attrDef('floopy', 'flip')],
    ]);
    const strict = { 'throw-on-missing-attrs?': true };
    const e = id();
    expect((await tx(app, [['update', 'floopy', e, { flip: 'x' }]], strict)).status).toBe(200);
    expect((await q(app, { floopy: {} })).floopy).toEqual([{ id: e, flip: 'x' }]);
    const flop = id();
    await ok(app, [
      ['add-attr', attrDef('floopy', 'flop', { id: flop })],
      ['delete-attr', flop],
    ]);
    const gone = await tx(app, [['update', 'floopy', e, { flop: 'y' }]], strict);
    expect(firstError(gone)?.hint?.attributes).toEqual(['floopy.flop']);

    const bad = await tx(app, [['updatez', 'goals', id(), { title: 'moop' }]]);
    expect(bad).toMatchObject({ status: 400, body: { type: 'validation-failed' } });
  });

  it(
    from(
      F,
      'transact-validations',
      'malformed steps, lookups on non-unique or unknown attrs, bad lookup values and ids',
    ),
    async () => {
      const app = await throwawayApp({ schema: zeneca });
      const err = async (steps: unknown[]) => {
        const r = await tx(app, steps);
        expect(r.status, JSON.stringify(steps)).toBe(400);
        expect(r.body.type).toBe('validation-failed');
        return firstError(r);
      };
      expect(await err([['update', 1, id(), { title: 'moop' }]])).toMatchObject({ expected: 'string?', in: [0, 1] });
      expect(await err([['update', 'goals', id(), 2]])).toMatchObject({ expected: 'map?', in: [0, 3] });
      expect(await err([['add-attr', 'goals', id(), 2]])).toMatchObject({ expected: 'map?', in: [0, 1] });
      expect(await err([['update', 'books', ['title', 'test'], { title: 'test' }]])).toMatchObject({
        message: 'title is not a unique attribute on books',
      });
      expect(await err([['update', 'books', ['test.isbn', 'asdf'], { title: 'test' }]])).toMatchObject({
        message: 'test.isbn is not a valid lookup attribute.',
      });
      const dotted = await throwawayApp({ schema: zeneca });
      await ok(dotted, [['add-attr', attrDef('books', 'test.isbn')]]);
      const notUnique = await tx(dotted, [['update', 'books', ['test.isbn', 'asdf'], { title: 'test' }]]);
      expect(firstError(notUnique)).toMatchObject({ message: 'test.isbn is not a unique attribute on books' });
      expect(await err([['link', 'spans', id(), { parentSpan: 'lookup__linkOn__undefined' }]])).toMatchObject({
        message: 'lookup value is invalid',
        hint: { attribute: 'linkOn', value: 'undefined' },
      });
      expect(await err([['delete', 'goals', 12345]])).toMatchObject({
        message: "Invalid entity ID '12345'. Entity IDs must be UUIDs or lookup references.",
        in: [0, 2],
      });
      expect(
        await err([
          ['update', 'goals', id(), { title: 'test' }],
          ['link', 'goals', 'bad-id', { todos: id() }],
        ]),
      ).toMatchObject({
        message: "Invalid entity ID 'bad-id'. Entity IDs must be UUIDs or lookup references.",
        in: [1, 2],
      });
    },
  );
});
