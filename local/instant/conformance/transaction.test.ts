// Cases ported from upstream's server/test/instant/db/transaction_test.clj (permissioned
// transactions). Upstream's tests send tx-steps with attr ids; here raw WebSocket `transact` frames
// do the same (`rawSession`), and the SDKs where the case is about what they send.
import { afterEach, describe, expect, it } from 'vitest';
import { i, id, lookup } from '@instantdb/core';
import { adminFor } from '../../../tests/support/instant-clients.ts';
import { link, uniqueString } from '../fixtures.test-schema.ts';
import { from, lastCode, throwawayApp, type ThrowawayApp } from './harness.ts';
import { attrDef, rawSession, type RawSession } from './raw-session.ts';

const F = 'transaction_test.clj';

const schema = i.schema({
  entities: {
    $users: i.entity({ email: uniqueString(), nickname: i.string().optional() }),
    posts: i.entity({
      body: i.string().optional(),
      ownerId: i.string().optional(),
      localId: i.string().optional(),
      title: uniqueString(),
      tag: i.string().indexed().optional(),
      likes: i.number().optional(),
      viewCount: i.number().optional(),
      featured: i.boolean().optional(),
    }),
    comments: i.entity({ text: i.string().optional(), localId: i.string().optional(), key: uniqueString() }),
    users: i.entity({ email: i.string().unique().indexed().optional() }),
  },
  links: {
    postComments: link(['comments', 'one', 'post'], ['posts', 'many', 'comments'], 'forward'),
    postRef: link(['posts', 'many', 'ref'], ['users', 'many', 'rev-ref']),
    postOwner: link(['posts', 'one', 'owner'], ['$users', 'many', 'posts']),
  },
});

const sessions: RawSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.close()));

async function appWith(rules?: unknown) {
  return throwawayApp({ schema, rules });
}

/** A fresh app with these rules and a raw client session on it (signed in as `email` when given). */
async function appAndClient(rules?: unknown, email?: string) {
  const app = await appWith(rules);
  return { app, s: await client(app, email) };
}

/** A raw client session, signed in as `email` when given. */
async function client(app: ThrowawayApp, email?: string): Promise<RawSession & { userId?: string }> {
  let refreshToken: string | undefined;
  let userId: string | undefined;
  if (email) {
    refreshToken = await app.admin.auth.createToken({ email });
    userId = (await app.admin.auth.verifyToken(refreshToken)).id;
  }
  const s = await rawSession(app, { refreshToken });
  sessions.push(s);
  return Object.assign(s, { userId });
}

/** A client SDK instance that has finished its handshake (before that, `transact` only enqueues). */
async function sdk(app: ThrowawayApp) {
  const db = app.client();
  await new Promise<void>((resolve) => {
    const unsub = db.subscribeConnectionStatus((st: string) => {
      if (st === 'authenticated') {
        queueMicrotask(() => unsub());
        resolve();
      }
    });
  });
  return db;
}

/** Rules guarding linking and unlinking `label`, and nothing else. */
const linkRules = (label: string, link: string, unlink: string) => ({
  allow: { link: { [label]: link }, unlink: { [label]: unlink } },
});

/**
 * The two transactions of a matrix case: the entities the case updates are written first (`setup`),
 * those it creates go in with the steps under test (`tx`).
 */
function updatedFirst(entities: [action: string, steps: unknown[][]][], steps: unknown[][]) {
  const written = (action: string) => entities.flatMap(([a, e]) => (a === action ? e : []));
  return { setup: written('update'), tx: [...written('create'), ...steps] };
}

const ok = (f: Record<string, any>) => expect(f, JSON.stringify(f)).toMatchObject({ op: 'transact-ok' });
const refused = (f: Record<string, any>, type: string, message?: string | RegExp) => {
  expect(f, JSON.stringify(f)).toMatchObject({ op: 'error', type });
  if (message) expect(f.message).toMatch(message);
};

describe('update modes and lookups', () => {
  it(
    from(F, 'update-modes', 'create mode fails on an existing id or lookup, update mode on a missing one'),
    async () => {
      const { s } = await appAndClient();
      const title = s.attr('posts', 'title');
      const body = s.attr('posts', 'body');
      const book1 = id();
      ok(
        await s.transact([
          ['add-triple', book1, title, 'book 1'],
          ['add-triple', id(), title, 'book 2'],
        ]),
      );
      for (const op of ['add-triple', 'deep-merge-triple']) {
        const fresh = id();
        ok(
          await s.transact([
            [op, fresh, title, `t-${op}`, { mode: 'create' }],
            [op, fresh, body, 'd', { mode: 'create' }],
          ]),
        );
        ok(await s.transact([[op, [title, `new-${op}`], body, 'd', { mode: 'create' }]]));
        refused(
          await s.transact([[op, book1, title, 'x', { mode: 'create' }]]),
          'validation-failed',
          `Creating entities that exist: ${book1}`,
        );
        refused(
          await s.transact([[op, [title, 'book 2'], body, 'x', { mode: 'create' }]]),
          'validation-failed',
          /Creating entities that exist/,
        );
        const missing = id();
        refused(
          await s.transact([[op, missing, title, 'x', { mode: 'update' }]]),
          'validation-failed',
          `Updating entities that don't exist: ${missing}`,
        );
        refused(
          await s.transact([[op, [title, 'book 3'], body, 'x', { mode: 'update' }]]),
          'validation-failed',
          /Updating entities that don't exist/,
        );
        ok(
          await s.transact([
            [op, book1, body, 'y', { mode: 'update' }],
            [op, [title, 'book 2'], body, 'y', { mode: 'update' }],
          ]),
        );
      }
    },
  );

  it(from(F, 'update-modes', 'update(…, {upsert: false}) on a missing entity fails through both SDKs'), async () => {
    const app = await appWith();
    await expect(
      app.admin.transact(app.admin.tx.posts[id()].update({ title: 'nope' }, { upsert: false })),
    ).rejects.toMatchObject({
      body: { type: 'validation-failed', message: expect.stringContaining("Updating entities that don't exist") },
    });
    const db = await sdk(app);
    await expect(db.transact(db.tx.posts[id()].update({ title: 'nope' }, { upsert: false }))).rejects.toMatchObject({
      message: expect.stringContaining("Updating entities that don't exist"),
    });
    expect((await app.admin.query({ posts: {} })).posts).toEqual([]);
  });

  it(
    from(F, 'add-attr-lookup-ref', 'a lookup on a schemaless app creates the attribute, unique, and upserts by it'),
    async () => {
      const app = await throwawayApp();
      const admin = adminFor(app);
      await admin.transact(admin.tx.books[lookup('isbn', '978-1')].update({ title: 'first' }));
      await admin.transact(admin.tx.books[lookup('isbn', '978-1')].update({ title: 'second' }));
      const books = (await admin.query({ books: {} })).books;
      expect(books).toHaveLength(1);
      expect(books[0]).toMatchObject({ isbn: '978-1', title: 'second' });
      const attrs = (await rawSession(app)).attrs as any[];
      expect(
        attrs.find((a) => a['forward-identity'][1] === 'books' && a['forward-identity'][2] === 'isbn'),
      ).toMatchObject({
        'unique?': true,
        'index?': true,
      });
    },
  );

  it(
    from(
      F,
      'link-unlink-non-existing-entities',
      'link and unlink on a lookup that names nothing yet create the entity',
    ),
    async () => {
      const app = await appWith();
      const post = id();
      await app.admin.transact(app.admin.tx.posts[post].update({ title: 'p' }));
      await app.admin.transact(app.admin.tx.users[lookup('email', 'linked@example.com')].link({ 'rev-ref': post }));
      await app.admin.transact(app.admin.tx.users[lookup('email', 'unlinked@example.com')].unlink({ 'rev-ref': post }));
      const users = (await app.admin.query({ users: { 'rev-ref': {} } })).users as any[];
      expect(users.map((u) => [u.email, u['rev-ref'].length]).sort()).toEqual([
        ['linked@example.com', 1],
        ['unlinked@example.com', 0],
      ]);
    },
  );

  it(
    from(
      F,
      'rejects-large-values-for-indexed-data',
      'values over 1024 bytes are refused for indexed and unique attributes',
    ),
    async () => {
      const app = await appWith();
      const big = 'a'.repeat(2000);
      const s = await client(app);
      const eid = id();
      const indexed = await s.transact([['add-triple', eid, s.attr('posts', 'tag'), big]]);
      refused(indexed, 'validation-failed', 'Value is too large for an indexed attribute.');
      expect(indexed.hint).toMatchObject({
        namespace: 'posts',
        attribute: 'tag',
        'entity-id': eid,
        'value-too-large?': true,
      });
      refused(
        await s.transact([['add-triple', id(), s.attr('posts', 'title'), big]]),
        'validation-failed',
        'Value is too large for a unique attribute.',
      );
      ok(await s.transact([['add-triple', id(), s.attr('posts', 'body'), big]]));
    },
  );

  // Steps refused as validation-failed, with the message (when given) each refusal carries.
  const refusals: { test: string; what: string; cases: (s: RawSession) => [unknown, (string | RegExp)?][] }[] = [
    {
      test: 'validations',
      what: 'entity ids must be UUIDs or lookups',
      cases: (s) => [
        [
          [['add-triple', 'not-a-uuid', s.attr('posts', 'title'), 'x']],
          /Invalid entity ID 'not-a-uuid'. Entity IDs must be UUIDs/,
        ],
        [[['add-triple', id(), 'not-an-attr', 'x']]],
        ['not a list'],
      ],
    },
    {
      test: 'good-error-for-invalid-ref-uuid',
      what: 'a link value that is not a UUID is a validation error',
      cases: (s) => [[[['add-triple', id(), s.attr('comments', 'post'), '']], 'Expected link value to be a uuid.']],
    },
    {
      test: 'checks-for-invalid-id-lookups',
      what: 'a lookup on id must carry a UUID, as entity and as link value',
      cases: (s) => {
        const badLookup = [s.attr('posts', 'id'), { id: id() }];
        return [
          [[['add-triple', badLookup, s.attr('posts', 'title'), 'x']], /Invalid lookup/],
          [[['add-triple', id(), s.attr('comments', 'post'), badLookup]], /Invalid lookup/],
        ];
      },
    },
    {
      test: 'rejects-bad-lookups',
      what: "a lookup attr of one namespace can't address an entity of another",
      cases: (s) => [
        [
          [['add-triple', [s.attr('comments', 'key'), 'k'], s.attr('posts', 'title'), 'x']],
          /namespace in the lookup attribute is different/,
        ],
      ],
    },
  ];
  for (const r of refusals) {
    it(from(F, r.test, r.what), async () => {
      const { s } = await appAndClient();
      for (const [steps, message] of r.cases(s))
        refused(await s.transact(steps as unknown[]), 'validation-failed', message);
    });
  }

  it(
    from(
      F,
      'rejects-invalid-data-for-checked-attrs',
      'a value of the wrong type for a typed attribute is refused, naming both',
    ),
    async () => {
      const { s } = await appAndClient();
      const eid = id();
      const answer = await s.transact([['add-triple', eid, s.attr('users', 'email'), 10]]);
      refused(
        answer,
        'validation-failed',
        'Invalid value type for users.email. Value must be a string but the provided value type is number.',
      );
      expect(answer.hint).toEqual({
        namespace: 'users',
        attribute: 'email',
        value: 10,
        'checked-data-type': 'string',
        'attr-id': s.attr('users', 'email'),
        'entity-id': eid,
      });
      ok(await s.transact([['add-triple', id(), s.attr('users', 'email'), 'test@example.com']]));
    },
  );

  it(from(F, 'obj-unique', 'a second entity with a taken unique value is refused with record-not-unique'), async () => {
    const { s } = await appAndClient();
    ok(await s.transact([['add-triple', id(), s.attr('posts', 'title'), 'taken']]));
    refused(await s.transact([['add-triple', id(), s.attr('posts', 'title'), 'taken']]), 'record-not-unique');
  });
});

describe('when rules run: before the writes or after', () => {
  it(
    from(
      F,
      'write-perms',
      'update rules see the data before the transaction: a link the same transaction makes does not satisfy data.ref',
    ),
    async () => {
      const { app, s } = await appAndClient(
        { posts: { allow: { update: "auth.id in data.ref('owner.id')", view: 'true' } } },
        'owner@example.com',
      );
      const post = id();
      await app.admin.transact(app.admin.tx.posts[post].update({ title: 'mine?' }));
      refused(
        await s.transact([
          ['add-triple', post, s.attr('posts', 'owner'), s.userId],
          ['add-triple', post, s.attr('posts', 'body'), 'taken'],
        ]),
        'permission-denied',
        'Permission denied: not perms-pass?',
      );
      expect((await app.admin.query({ posts: { owner: {} } })).posts[0]).not.toHaveProperty('body');
      await app.admin.transact(app.admin.tx.posts[post].link({ owner: s.userId! }));
      ok(await s.transact([['add-triple', post, s.attr('posts', 'body'), 'mine']]));
    },
  );

  it(
    from(F, 'write-perms', 'create rules see the data the transaction produces: data.ref follows its own links'),
    async () => {
      const { s } = await appAndClient(
        { posts: { allow: { create: "auth.id in data.ref('owner.id')" } } },
        'creator@example.com',
      );
      const mine = id();
      ok(await s.transact(s.entity('posts', mine, { owner: s.userId })));
      const orphan = id();
      refused(await s.transact(s.entity('posts', orphan, { body: 'x' })), 'permission-denied');
    },
  );

  it(from(F, 'write-perms', 'delete rules see the entity and its links as they were'), async () => {
    const { app, s } = await appAndClient(
      { posts: { allow: { delete: "auth.id in data.ref('owner.id')", update: 'true' } } },
      'deleter@example.com',
    );
    const post = id();
    await app.admin.transact(app.admin.tx.posts[post].update({ title: 'to go' }).link({ owner: s.userId! }));
    // The unlink in the same transaction does not hide the owner from the delete rule.
    ok(
      await s.transact([
        ['retract-triple', post, s.attr('posts', 'owner'), s.userId],
        ['delete-entity', post, 'posts'],
      ]),
    );
    expect((await app.admin.query({ posts: {} })).posts).toEqual([]);
  });

  it(
    from(F, 'link-actions-perm', 'actions.data / actions.linkedData say create or update for each side of a link'),
    async () => {
      const { s } = await appAndClient({
        posts: {
          allow: {
            link: {
              ref: 'actions.data == ruleParams.post_post_action && actions.linkedData == ruleParams.post_user_action',
            },
          },
        },
        users: {
          allow: {
            link: {
              'rev-ref':
                'actions.data == ruleParams.user_user_action && actions.linkedData == ruleParams.user_post_action',
            },
          },
        },
      });
      const acts = ['create', 'update'] as const;
      let n = 0;
      for (const postAction of acts)
        for (const userAction of acts)
          for (const pp of acts)
            for (const pu of acts)
              for (const up of acts)
                for (const uu of acts) {
                  const userId = id();
                  const postId = id();
                  const userTx = s.entity('users', userId, { email: `u${n++}@example.com` });
                  const postTx = s.entity('posts', postId, { title: `post ${n}` });
                  const { setup, tx } = updatedFirst(
                    [
                      [postAction, postTx],
                      [userAction, userTx],
                    ],
                    [
                      ['add-triple', postId, s.attr('posts', 'ref'), userId],
                      ['rule-params', postId, 'posts', { post_post_action: pp, post_user_action: pu }],
                      ['rule-params', userId, 'users', { user_post_action: up, user_user_action: uu }],
                    ],
                  );
                  if (setup.length) ok(await s.transact(setup));
                  const expected = postAction === pp && pp === up && userAction === pu && pu === uu;
                  const answer = await s.transact(tx);
                  expect(answer.op, `${postAction} ${userAction} ${pp} ${pu} ${up} ${uu}`).toBe(
                    expected ? 'transact-ok' : 'error',
                  );
                }
    },
  );

  it(
    from(
      F,
      'default-link-unlink-perms',
      'without link rules, linking needs update on the source and view on the target',
    ),
    async () => {
      const { app, s } = await appAndClient({
        posts: { allow: { update: 'false', view: 'true' } },
        users: { allow: { view: 'data.email == "seen@example.com"' } },
      });
      const [post, seen, hidden] = [id(), id(), id()];
      await app.admin.transact([
        app.admin.tx.posts[post].update({ title: 'p' }),
        app.admin.tx.users[seen].update({ email: 'seen@example.com' }),
        app.admin.tx.users[hidden].update({ email: 'hidden@example.com' }),
      ]);
      refused(await s.transact([['add-triple', post, s.attr('posts', 'ref'), seen]]), 'permission-denied');
      ok(await s.transact(s.entity('posts', id(), { ref: seen })));
      refused(await s.transact(s.entity('posts', id(), { ref: hidden })), 'permission-denied');
    },
  );

  it(from(F, 'unlink-perms', 'unlink rules guard unlinking on either side'), async () => {
    const { app, s } = await appAndClient({ posts: { allow: { unlink: { ref: 'ruleParams.ok == true' } } } });
    const post = id();
    const user = id();
    await app.admin.transact([
      app.admin.tx.users[user].update({ email: 'x@example.com' }),
      app.admin.tx.posts[post].update({ title: 'p' }).link({ ref: user }),
    ]);
    refused(await s.transact([['retract-triple', post, s.attr('posts', 'ref'), user]]), 'permission-denied');
    ok(
      await s.transact([
        ['rule-params', post, 'posts', { ok: true }],
        ['retract-triple', post, s.attr('posts', 'ref'), user],
      ]),
    );
    expect((await app.admin.query({ posts: { ref: {} } })).posts[0].ref).toEqual([]);
  });
});

describe('ruleParams', () => {
  it(
    from(F, 'create-perms-rule-params', 'params given after the steps they guard, by id or by lookup, still apply'),
    async () => {
      const { app, s } = await appAndClient({
        posts: { allow: { create: "ruleParams.secret == 'open'", update: "ruleParams.secret == 'open'" } },
      });
      const post = id();
      refused(await s.transact([['add-triple', post, s.attr('posts', 'id'), post]]), 'permission-denied');
      ok(await s.transact([...s.entity('posts', post), ['rule-params', post, 'posts', { secret: 'open' }]]));
      const byTitle = [s.attr('posts', 'title'), 'by lookup'];
      refused(await s.transact([['add-triple', byTitle, s.attr('posts', 'body'), 'b']]), 'permission-denied');
      ok(
        await s.transact([
          ['add-triple', byTitle, s.attr('posts', 'body'), 'b'],
          ['rule-params', byTitle, 'posts', { secret: 'open' }],
        ]),
      );
      expect((await app.admin.query({ posts: { $: { where: { title: 'by lookup' } } } })).posts).toHaveLength(1);
    },
  );

  it(
    from(F, 'update-perms-rule-params', 'update and delete by lookup with params by lookup (SDK ruleParams)'),
    async () => {
      const app = await appWith({
        posts: {
          allow: {
            update: 'data.localId == ruleParams.localId',
            delete: 'data.localId == ruleParams.localId',
            view: 'true',
          },
        },
      });
      await app.admin.transact(app.admin.tx.posts[id()].update({ title: 'kept', localId: 'me' }));
      const db = await sdk(app);
      await expect(
        db.transact(db.tx.posts[lookup('title', 'kept')].ruleParams({ localId: 'them' }).update({ body: 'no' })),
      ).rejects.toMatchObject({
        message: expect.stringContaining('Permission denied'),
      });
      await db.transact(db.tx.posts[lookup('title', 'kept')].update({ body: 'yes' }).ruleParams({ localId: 'me' }));
      expect((await app.admin.query({ posts: {} })).posts[0].body).toBe('yes');
      await db.transact(db.tx.posts[lookup('title', 'kept')].delete().ruleParams({ localId: 'me' }));
      expect((await app.admin.query({ posts: {} })).posts).toEqual([]);
    },
  );

  const owns = 'data.localId == ruleParams.localId';
  /** A post and a comment on it, written by the admin, on an app with these rules; and a client. */
  async function postWithComment(rules: unknown, post: Record<string, string>, comment: Record<string, string>) {
    const app = await appWith(rules);
    const postId = id();
    await app.admin.transact([
      app.admin.tx.posts[postId].update(post),
      app.admin.tx.comments[id()].update(comment).link({ post: postId }),
    ]);
    return { app, s: await client(app), post: postId };
  }
  const deleteWith = (s: RawSession, post: string, params: Record<string, string>) =>
    s.transact([
      ['delete-entity', post, 'posts'],
      ['rule-params', post, 'posts', params],
    ]);

  it(
    from(
      F,
      'cascade-delete-with-rule-params',
      'cascaded deletes are checked with the params of the entity whose delete reached them',
    ),
    async () => {
      const isCreator = { allow: { delete: 'isCreator' }, bind: ['isCreator', owns] };
      const { app, s, post } = await postWithComment(
        { posts: isCreator, comments: isCreator },
        { title: 'p', localId: 'u1' },
        { text: 'c', localId: 'u1' },
      );
      refused(await deleteWith(s, post, { localId: 'wrong' }), 'permission-denied');
      ok(await deleteWith(s, post, { localId: 'u1' }));
      expect((await app.admin.query({ comments: {} })).comments).toEqual([]);
    },
  );

  it(
    from(
      F,
      'cascade-delete-with-mulitple-rule-params',
      'a cascaded child that the params do not match stops the delete',
    ),
    async () => {
      const { app, s, post } = await postWithComment(
        { posts: { allow: { delete: owns } }, comments: { allow: { delete: owns } } },
        { title: 'p', localId: 'u1' },
        { text: 'theirs', localId: 'u2' },
      );
      refused(await deleteWith(s, post, { localId: 'u1' }), 'permission-denied');
      expect((await app.admin.query({ posts: {} })).posts).toHaveLength(1);
    },
  );

  it(
    from(
      F,
      'cascade-delete-with-lookup-ref-rule-params',
      'delete by lookup with params by lookup cascades with those params',
    ),
    async () => {
      const { app, s } = await postWithComment(
        { posts: { allow: { delete: owns } }, comments: { allow: { delete: owns } } },
        { title: 'by-title', localId: 'u1' },
        { text: 'c', localId: 'u1' },
      );
      const byTitle = [s.attr('posts', 'title'), 'by-title'];
      ok(
        await s.transact([
          ['rule-params', byTitle, 'posts', { localId: 'u1' }],
          ['delete-entity', byTitle, 'posts'],
        ]),
      );
      expect(await app.admin.query({ posts: {}, comments: {} })).toEqual({ posts: [], comments: [] });
    },
  );

  it(
    from(F, 'rule-params-view-check-on-link', 'the view check on a link target sees the params of both sides'),
    async () => {
      const { app, s } = await appAndClient({
        posts: { allow: { view: "ruleParams.key == 'k'", update: 'true' } },
        comments: { allow: { create: 'true' } },
      });
      const post = id();
      await app.admin.transact(app.admin.tx.posts[post].update({ title: 'p' }));
      const c1 = id();
      refused(await s.transact(s.entity('comments', c1, { post })), 'permission-denied');
      const c2 = id();
      ok(await s.transact([...s.entity('comments', c2, { post }), ['rule-params', c2, 'comments', { key: 'k' }]]));
    },
  );
});

describe('request.modifiedFields', () => {
  it(from(F, 'modified-fields-update-permissions', 'update rules see the labels the transaction writes'), async () => {
    const rule = (fields: string[]) => ({
      posts: {
        allow: {
          update: `auth.id == data.ownerId || request.modifiedFields.all(field, field in ${JSON.stringify(fields)})`,
        },
      },
    });
    const post = id();
    const app = await appWith(rule(['likes']));
    const other = await client(app, 'other@example.com');
    const owner = await client(app, 'owner2@example.com');
    await app.admin.transact(
      app.admin.tx.posts[post].update({ ownerId: owner.userId, likes: 0, viewCount: 0, title: 'Original' }),
    );
    ok(await other.transact([['add-triple', post, other.attr('posts', 'likes'), 1]]));
    refused(await other.transact([['add-triple', post, other.attr('posts', 'title'), 'Hacked']]), 'permission-denied');
    ok(await owner.transact([['add-triple', post, owner.attr('posts', 'title'), 'New']]));
    refused(
      await other.transact([
        ['add-triple', post, other.attr('posts', 'likes'), 4],
        ['add-triple', post, other.attr('posts', 'title'), 'Hacked'],
      ]),
      'permission-denied',
    );
    const app2 = await appWith(rule(['likes', 'viewCount']));
    const other2 = await client(app2, 'other@example.com');
    await app2.admin.transact(app2.admin.tx.posts[post].update({ ownerId: 'someone', likes: 0 }));
    ok(
      await other2.transact([
        ['add-triple', post, other2.attr('posts', 'likes'), 2],
        ['add-triple', post, other2.attr('posts', 'viewCount'), 100],
      ]),
    );
    ok(await other2.transact([['add-triple', post, other2.attr('posts', 'likes'), 3]]));
  });

  it(from(F, 'modified-fields-create-permissions', 'create rules see the labels written, never id'), async () => {
    const { app, s } = await appAndClient({
      posts: { allow: { create: "!('featured' in request.modifiedFields) && !('id' in request.modifiedFields)" } },
    });
    const a = id();
    ok(await s.transact(s.entity('posts', a, { title: 'My Post' })));
    const b = id();
    refused(await s.transact(s.entity('posts', b, { featured: true })), 'permission-denied');
    const db = await sdk(app);
    await expect(db.transact(db.tx.posts[id()].update({ title: 'sdk', featured: true }))).rejects.toMatchObject({
      message: expect.stringContaining('Permission denied'),
    });
    await db.transact(db.tx.posts[id()].update({ title: 'sdk ok' }));
  });
});

describe('rules that fail to evaluate', () => {
  it(
    from(F, 'write-perms', 'a write whose rule cannot be evaluated answers permission-evaluation-failed'),
    async () => {
      const app = await appWith({ posts: { allow: { update: 'data.likes > 5' } } });
      const post = id();
      await app.admin.transact(app.admin.tx.posts[post].update({ title: 'no likes' }));
      const s = await client(app);
      const answer = await s.transact([['add-triple', post, s.attr('posts', 'body'), 'x']]);
      refused(
        answer,
        'permission-evaluation-failed',
        'Could not evaluate permission rule for `posts.update`. You may have a typo.',
      );
      expect(answer.hint).toMatchObject({ rule: ['posts', 'update'] });
      const as = app.admin.asUser({ guest: true });
      await expect(as.transact(as.tx.posts[post].update({ body: 'y' }))).rejects.toMatchObject({
        body: { type: 'permission-evaluation-failed' },
      });
    },
  );

  it(
    from(
      F,
      'write-perms',
      'a query whose view rule cannot be evaluated answers permission-evaluation-failed, not an empty result',
    ),
    async () => {
      const app = await appWith({ posts: { allow: { view: 'data.likes > 5' } } });
      await app.admin.transact(app.admin.tx.posts[id()].update({ title: 'no likes' }));
      const s = await client(app);
      const answer = await s.query({ posts: {} });
      refused(answer, 'permission-evaluation-failed', /Could not evaluate permission rule for `posts.view`/);
      await expect(app.admin.asUser({ guest: true }).query({ posts: {} })).rejects.toMatchObject({
        body: { type: 'permission-evaluation-failed' },
      });
    },
  );
});

describe('$users and system columns', () => {
  it(
    from(F, 'perms-rejects-writes-to-reserved-users-columns', 'clients cannot write $users.email, even on themselves'),
    async () => {
      const { app, s } = await appAndClient({ $users: { allow: { update: 'auth.id == data.id' } } }, 'me@example.com');
      refused(
        await s.transact([['add-triple', s.userId, s.attr('$users', 'email'), 'else@example.com']]),
        'validation-failed',
        "$users.email is a system column. You aren't allowed to change this directly.",
      );
      expect((await app.admin.query({ $users: {} })).$users.map((u: any) => u.email)).toEqual(['me@example.com']);
    },
  );

  it(
    from(
      F,
      'perms-accepts-writes-to-custom-user-columns',
      'clients can write their own custom $users columns when the rule allows',
    ),
    async () => {
      const { app, s } = await appAndClient(
        { $users: { allow: { update: 'auth.id == data.id', view: 'auth.id == data.id' } } },
        'custom@example.com',
      );
      ok(
        await s.transact([
          ['add-triple', s.userId, s.attr('$users', 'id'), s.userId],
          ['add-triple', s.userId, s.attr('$users', 'nickname'), 'nick'],
        ]),
      );
      const other = await client(app, 'other3@example.com');
      refused(
        await other.transact([['add-triple', s.userId, other.attr('$users', 'nickname'), 'pwned']]),
        'permission-denied',
      );
    },
  );

  it(
    from(
      'permissioned_transaction.clj',
      'post-create-checks',
      'no client transaction creates $users: with or without an id triple, by lookup, or via the SDK',
    ),
    async () => {
      // Even a rule that opens $users create to everyone: sign-in creates users, transactions never.
      const { app, s } = await appAndClient({ $users: { allow: { create: 'true', update: 'true', view: 'true' } } });
      const attacker = await client(app, 'attacker@example.com');
      const victim = 'victim@example.com';
      const USERS_MSG = "$users is a system entity. You aren't allowed to create this directly.";
      const u1 = id();
      refused(await s.transact([['add-triple', u1, s.attr('$users', 'id'), u1]]), 'validation-failed', USERS_MSG);
      refused(
        await s.transact([['add-triple', id(), s.attr('$users', 'nickname'), 'planted']]),
        'validation-failed',
        USERS_MSG,
      );
      refused(
        await attacker.transact([
          ['add-triple', [s.attr('$users', 'email'), victim], s.attr('$users', 'nickname'), 'planted'],
        ]),
        'validation-failed',
        USERS_MSG,
      );
      refused(
        await s.transact(s.entity('$users', u1, { email: victim, nickname: 'planted' })),
        'validation-failed',
        /system (column|entity)/,
      );
      const db = await sdk(app);
      await expect(db.transact(db.tx.$users[id()].update({ nickname: 'planted' }))).rejects.toMatchObject({
        message: expect.stringContaining('$users is a system entity'),
      });
      const as = app.admin.asUser({ guest: true });
      await expect(
        as.transact(as.tx.$users[lookup('email', victim)].update({ nickname: 'planted' })),
      ).rejects.toMatchObject({
        body: { type: 'validation-failed' },
      });
      expect((await app.admin.query({ $users: {} })).$users.map((u: any) => u.email)).toEqual(['attacker@example.com']);

      // The victim signs in later and inherits nothing.
      await fetch(`${app.url}/runtime/auth/send_magic_code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ 'app-id': app.appId, email: victim }),
      });
      const res = await fetch(`${app.url}/runtime/auth/verify_magic_code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ 'app-id': app.appId, email: victim, code: lastCode(victim) }),
      });
      const { user } = (await res.json()) as { user: Record<string, unknown> };
      expect(user.email).toBe(victim);
      expect(user).not.toHaveProperty('nickname');
      const stored = (await app.admin.query({ $users: { $: { where: { email: victim } } } })).$users;
      expect(stored).toHaveLength(1);
      expect(stored[0]).not.toHaveProperty('nickname');
    },
  );

  it(from(F, 'admins-can-write-to-users-table', 'the admin SDK may write $users'), async () => {
    const app = await appWith();
    const u = id();
    await app.admin.transact(app.admin.tx.$users[u].update({ email: 'made@example.com', nickname: 'by admin' }));
    expect((await app.admin.query({ $users: {} })).$users).toEqual([
      expect.objectContaining({ id: u, email: 'made@example.com', nickname: 'by admin' }),
    ]);
  });

  it(
    from('permissioned_transaction.clj', 'prevent-system-column-updates', 'clients cannot delete $users'),
    async () => {
      // Whatever the rules say (a `$users` delete rule other than "false" cannot even be saved).
      const { app, s } = await appAndClient(undefined, 'stay@example.com');
      refused(
        await s.transact([['delete-entity', s.userId, '$users']]),
        'validation-failed',
        "$users is a system entity. You aren't allowed to delete this directly.",
      );
      expect((await app.admin.query({ $users: {} })).$users).toHaveLength(1);
    },
  );
});

describe('attribute steps', () => {
  it(
    from(
      F,
      'attrs-create-delete',
      'add-attr then delete-attr (admin) removes the attribute and its values; clients may not delete attrs',
    ),
    async () => {
      const app = await appWith();
      const admin = await rawSession(app, { admin: true });
      sessions.push(admin);
      const attrId = id();
      const e = id();
      ok(
        await admin.transact([
          ['add-attr', attrDef('posts', 'color', { id: attrId })],
          ...admin.entity('posts', e),
          ['add-triple', e, attrId, 'red'],
        ]),
      );
      expect((await app.admin.query({ posts: {} })).posts[0]).toMatchObject({ color: 'red' });
      const s = await client(app);
      refused(await s.transact([['delete-attr', attrId]]), 'permission-denied');
      ok(await admin.transact([['delete-attr', attrId]]));
      const after = await rawSession(app);
      sessions.push(after);
      expect(after.attrs.some((a) => a.id === attrId)).toBe(false);
      expect((await app.admin.query({ posts: {} })).posts[0]).not.toHaveProperty('color');
    },
  );

  it(from(F, 'attrs-create-delete', 'a client add-attr obeys the attrs create rule'), async () => {
    const { s } = await appAndClient({ attrs: { allow: { create: 'false' } } });
    const step = ['add-attr', attrDef('posts', 'sneaky')];
    refused(await s.transact([step]), 'permission-denied');
    const open = await appWith();
    const s2 = await client(open);
    ok(await s2.transact([step]));
  });
});

describe('more write semantics', () => {
  it(
    from(F, 'delete-with-updates', 'steps run grouped by kind, groups in the order each kind first appears'),
    async () => {
      const { app, s } = await appAndClient();
      const e = id();
      const idA = s.attr('posts', 'id');
      const body = s.attr('posts', 'body');
      ok(
        await s.transact([
          ['add-triple', e, idA, e],
          ['add-triple', e, body, 'value'],
          ['delete-entity', e, 'posts'],
        ]),
      );
      expect((await app.admin.query({ posts: {} })).posts).toEqual([]);
      ok(
        await s.transact([
          ['delete-entity', e, 'posts'],
          ['add-triple', e, idA, e],
          ['add-triple', e, body, 'value'],
        ]),
      );
      expect((await app.admin.query({ posts: {} })).posts).toEqual([{ id: e, body: 'value' }]);
      // Upstream records this as its current (undesirable) behaviour: both deletes run first.
      ok(
        await s.transact([
          ['delete-entity', e, 'posts'],
          ['add-triple', e, idA, e],
          ['add-triple', e, body, 'again'],
          ['delete-entity', e, 'posts'],
        ]),
      );
      expect((await app.admin.query({ posts: {} })).posts).toEqual([{ id: e, body: 'again' }]);
    },
  );

  it(
    from(
      F,
      'unlink-perms-during-delete',
      'deleting an entity checks its delete rule, not unlink rules (by id and by lookup)',
    ),
    async () => {
      const { app, s } = await appAndClient({
        posts: {
          allow: {
            update: 'ruleParams.posts_update == true',
            delete: 'ruleParams.posts_delete == true',
            unlink: { ref: 'ruleParams.posts_unlink == true' },
          },
        },
        users: { allow: { view: 'true', unlink: { 'rev-ref': 'ruleParams.users_unlink == true' } } },
      });
      for (const byLookup of [false, true]) {
        const post = id();
        const user = id();
        const title = `post ${byLookup}`;
        await app.admin.transact([
          app.admin.tx.users[user].update({ email: `${title}@example.com` }),
          app.admin.tx.posts[post].update({ title }).link({ ref: user }),
        ]);
        const ref = byLookup ? [s.attr('posts', 'title'), title] : post;
        refused(await s.transact([['delete-entity', ref, 'posts']]), 'permission-denied');
        ok(
          await s.transact([
            ['delete-entity', ref, 'posts'],
            ['rule-params', ref, 'posts', { posts_delete: true }],
          ]),
        );
      }
      expect((await app.admin.query({ posts: {} })).posts).toEqual([]);
    },
  );

  it(
    from(
      F,
      'linked-data-perm',
      'linkedData is the other side of the link, before (pre-checks) and after (post-checks)',
    ),
    async () => {
      const { s } = await appAndClient({
        posts: linkRules('ref', 'newData.title == linkedData.email', 'data.title == linkedData.email'),
        users: linkRules('rev-ref', 'newData.email == linkedData.title', 'data.email == linkedData.title'),
      });
      const ref = s.attr('posts', 'ref');
      /** A new user and a new post, with the email and the title given. */
      const pair = (email: string, title: string) => {
        const [user, post] = [id(), id()];
        return { user, post, steps: [...s.entity('users', user, { email }), ...s.entity('posts', post, { title })] };
      };
      const same = pair('same@example.com', 'same@example.com');
      ok(await s.transact(same.steps));
      ok(await s.transact([['add-triple', same.post, ref, same.user]]));
      ok(await s.transact([['retract-triple', same.post, ref, same.user]]));
      const fresh = pair('new@example.com', 'new@example.com');
      ok(await s.transact([...fresh.steps, ['add-triple', fresh.post, ref, fresh.user]]));
      const unlike = pair('a@example.com', 'b@example.com');
      refused(await s.transact([...unlike.steps, ['add-triple', unlike.post, ref, unlike.user]]), 'permission-denied');
    },
  );

  it(
    from(
      F,
      'perms-rejects-updates-to-lookups',
      'create rules see the lookup value; update rules see newData through a lookup',
    ),
    async () => {
      const rules = { posts: { allow: { create: "data.title != 'a'", update: "newData.title != 'b'" } } };
      const { app, s } = await appAndClient(rules);
      const title = s.attr('posts', 'title');
      const idA = s.attr('posts', 'id');
      await app.admin.transact(app.admin.tx.posts[id()].update({ title: 'c' }));
      refused(await s.transact([['add-triple', [title, 'a'], idA, [title, 'a']]]), 'permission-denied');
      refused(await s.transact([['add-triple', [title, 'c'], title, 'b']]), 'permission-denied');
      ok(await s.transact([['add-triple', [title, 'z'], idA, [title, 'z']]]));
    },
  );

  it(
    from(
      F,
      'delete-without-etype',
      'a delete-entity without a namespace deletes the id in every namespace that holds it',
    ),
    async () => {
      const { app, s } = await appAndClient();
      const shared = id();
      await app.admin.transact([
        app.admin.tx.posts[shared].update({ title: 'p' }),
        app.admin.tx.comments[shared].update({ text: 'c' }),
      ]);
      ok(await s.transact([['delete-entity', shared]]));
      expect(await app.admin.query({ posts: {}, comments: {} })).toEqual({ posts: [], comments: [] });
    },
  );

  it(from(F, 'deep-merge-deep', 'merge deep-merges objects, null deletes a key, a scalar replaces'), async () => {
    const app = await throwawayApp();
    const admin = adminFor(app);
    const e = id();
    await admin.transact(admin.tx.docs[e].update({ meta: { a: { b: 1, c: 2 }, keep: true } }));
    await admin.transact(admin.tx.docs[e].merge({ meta: { a: { b: 10, c: null, d: 4 } } }));
    expect((await admin.query({ docs: {} })).docs[0].meta).toEqual({ a: { b: 10, d: 4 }, keep: true });
    await admin.transact(admin.tx.docs[e].merge({ meta: { a: 'scalar' } }));
    expect((await admin.query({ docs: {} })).docs[0].meta).toEqual({ a: 'scalar', keep: true });
  });
});

describe('rule lookup order', () => {
  const refRule = "!('e@mail.com' in data.ref('owner.email'))";
  it(
    from(F, 'refs-in-default-perms', 'data.ref works in $default rules at every level of the lookup order'),
    async () => {
      for (const rules of [
        { posts: { allow: { $default: 'true', update: refRule } } },
        { $default: { allow: { update: 'true' } }, posts: { allow: { $default: refRule } } },
        { $default: { allow: { update: refRule } } },
        { $default: { allow: { $default: refRule } } },
      ]) {
        const app = await appWith(rules);
        const owner = await app.admin.auth
          .createToken({ email: 'e@mail.com' })
          .then((t) => app.admin.auth.verifyToken(t));
        const post = id();
        await app.admin.transact(app.admin.tx.posts[post].update({ title: 'title' }).link({ owner: owner.id }));
        const s = await client(app);
        refused(await s.transact(s.entity('posts', post, { title: 'new title' })), 'permission-denied');
      }
    },
  );

  it(from(F, 'bind-in-default-perms', 'binds of the namespace and of $default apply to its rules'), async () => {
    for (const rules of [
      { posts: { bind: ['bind', 'false'], allow: { update: 'bind' } } },
      { posts: { bind: ['bind', 'false'], allow: { $default: 'bind' } } },
      { $default: { bind: ['bind', 'false'], allow: { update: 'bind' } } },
      { $default: { bind: ['bind', 'false'], allow: { $default: 'bind' } } },
    ]) {
      const app = await appWith(rules);
      const post = id();
      await app.admin.transact(app.admin.tx.posts[post].update({ title: 'title' }));
      const s = await client(app);
      refused(await s.transact([['add-triple', post, s.attr('posts', 'title'), 'new title']]), 'permission-denied');
    }
  });
});

describe('auth.ref and newData', () => {
  it(
    from(F, 'users-write-perms', "auth.ref('$user…') follows the signed-in user's links in an update rule"),
    async () => {
      const app = await appWith({ posts: { allow: { update: "'1234' in auth.ref('$user.posts.localId')" } } });
      const creator = await client(app, 'creator2@example.com');
      const stranger = await client(app, 'stranger@example.com');
      const guest = await client(app);
      const post = id();
      await app.admin.transact(app.admin.tx.posts[post].update({ localId: '1234' }).link({ owner: creator.userId! }));
      const step = (s: RawSession) => [['add-triple', post, s.attr('posts', 'body'), 'Free Land']];
      refused(await guest.transact(step(guest)), 'permission-denied');
      refused(await stranger.transact(step(stranger)), 'permission-denied');
      ok(await creator.transact(step(creator)));
      expect((await app.admin.query({ posts: {} })).posts[0].body).toBe('Free Land');
    },
  );

  it(from(F, 'write-perms-merged', 'newData applies the steps in order: an add then deep merges'), async () => {
    const app = await throwawayApp({
      rules: {
        users: {
          allow: { update: "newData.handle.foo == '1' && newData.handle.bar == '2' && newData.handle.baz == '3'" },
        },
      },
    });
    const admin = adminFor(app);
    const u = id();
    await admin.transact(admin.tx.users[u].update({ handle: { foo: '0' } }));
    const s = await rawSession(app);
    sessions.push(s);
    const h = s.attr('users', 'handle');
    ok(
      await s.transact([
        ['add-triple', u, h, { foo: '0', baz: '3' }],
        ['deep-merge-triple', u, h, { foo: '1' }],
        ['deep-merge-triple', u, h, { bar: '2' }],
      ]),
    );
    expect((await admin.query({ users: {} })).users[0].handle).toEqual({ foo: '1', bar: '2', baz: '3' });
    refused(await s.transact([['deep-merge-triple', u, h, { foo: '9' }]]), 'permission-denied');
  });
});

describe('links to $users and deletes by lookup', () => {
  it(
    from(
      F,
      'perms-accepts-writes-to-reverse-links-to-users-table',
      'linking to a $users entity needs the $users view rule (by default: only yourself)',
    ),
    async () => {
      const app = await appWith();
      const me = await client(app, 'linker@example.com');
      const guest = await client(app);
      const post = id();
      const steps = (s: RawSession) => s.entity('posts', post, { owner: me.userId });
      refused(await guest.transact(steps(guest)), 'permission-denied');
      ok(await me.transact(steps(me)));
    },
  );

  it(
    from(F, 'perms-accepts-writes-to-reverse-links-to-users-table-with-lookups', 'the same with lookups on both sides'),
    async () => {
      const app = await appWith();
      const me = await client(app, 'lookups@example.com');
      const guest = await client(app);
      await app.admin.transact(app.admin.tx.posts[id()].update({ title: '1234' }));
      const steps = (s: RawSession) => [
        [
          'add-triple',
          [s.attr('posts', 'title'), '1234'],
          s.attr('posts', 'owner'),
          [s.attr('$users', 'email'), 'lookups@example.com'],
        ],
      ];
      refused(await guest.transact(steps(guest)), 'permission-denied');
      ok(await me.transact(steps(me)));
      const posts = (await app.admin.query({ posts: { owner: {} } })).posts as any[];
      expect(posts[0].owner).toMatchObject({ id: me.userId, email: 'lookups@example.com' });
    },
  );

  for (const c of [
    {
      test: 'delete-perms-rule-params',
      what: 'a delete by lookup is checked with the params given for that lookup',
      email: 'stopa@example.com',
      etype: ['users'],
    },
    {
      test: 'delete-without-etype-perms-rule-params',
      what: 'the same for a delete by lookup that names no namespace',
      email: 'user@example.com',
      etype: [],
    },
  ]) {
    it(from(F, c.test, c.what), async () => {
      const app = await appWith({ users: { allow: { delete: 'data.email == ruleParams.email' } } });
      await app.admin.transact(app.admin.tx.users[id()].update({ email: c.email }));
      const s = await client(app);
      const byEmail = [s.attr('users', 'email'), c.email];
      const remove = ['delete-entity', byEmail, ...c.etype];
      refused(await s.transact([remove]), 'permission-denied');
      refused(
        await s.transact([['rule-params', byEmail, 'users', { email: `not-${c.email}` }], remove]),
        'permission-denied',
      );
      ok(await s.transact([['rule-params', byEmail, 'users', { email: c.email }], remove]));
      expect((await app.admin.query({ users: {} })).users).toEqual([]);
    });
  }
});

describe('link rules matrix', () => {
  const linkSchema = i.schema({
    entities: {
      posts: i.entity({ title: i.string().unique().indexed().optional() }),
      users: i.entity({ email: i.string().unique().indexed().optional() }),
    },
    links: Object.fromEntries(
      ['fallback', 'fwd-only', 'rev-only', 'fwd-rev'].map((l) => [
        l,
        { forward: { on: 'posts', has: 'many', label: l }, reverse: { on: 'users', has: 'many', label: `rev-${l}` } },
      ]),
    ) as any,
  });
  const rules = {
    posts: {
      allow: {
        create: 'ruleParams.posts_create',
        update: 'ruleParams.posts_update',
        link: { 'fwd-only': 'ruleParams.posts_fwd_only', 'fwd-rev': 'ruleParams.posts_fwd_rev' },
      },
    },
    users: {
      allow: {
        view: 'ruleParams.users_view',
        create: 'ruleParams.users_create',
        update: 'ruleParams.users_update',
        link: { 'rev-rev-only': 'ruleParams.users_rev_only', 'rev-fwd-rev': 'ruleParams.users_fwd_rev' },
      },
    },
  };
  const combos = (names: string[]) =>
    names.reduce<Record<string, boolean>[]>(
      (acc, n) =>
        acc.flatMap((c) => [
          { ...c, [n]: false },
          { ...c, [n]: true },
        ]),
      [{}],
    );

  it(
    from(
      F,
      'link-perms',
      'link rules on either side, or the create/update/view fallback, for new and existing entities by id and lookup',
    ),
    async () => {
      const app = await throwawayApp({ schema: linkSchema, rules });
      const s = await rawSession(app);
      sessions.push(s);
      const a = (etype: string, label: string) => s.attr(etype, label);
      let n = 0;
      let cases = 0;
      for (const userAction of ['create', 'update'])
        for (const postAction of ['create', 'update'])
          for (const refType of ['id', 'lookup']) {
            for (const attr of ['fallback', 'fwd-only', 'rev-only', 'fwd-rev']) {
              const params =
                attr === 'fallback'
                  ? combos([postAction === 'create' ? 'posts_create' : 'posts_update', 'users_view'])
                  : attr === 'fwd-only'
                    ? combos(['posts_fwd_only'])
                    : attr === 'rev-only'
                      ? combos(['users_rev_only'])
                      : combos(['posts_fwd_rev', 'users_fwd_rev']);
              for (const ruleParams of params)
                for (const pos of ['post', 'user']) {
                  const userId = id();
                  const email = `lp${++n}@example.com`;
                  const postId = id();
                  const title = `lp post ${n}`;
                  const userRef = refType === 'id' ? userId : [a('users', 'email'), email];
                  const postRef = refType === 'id' ? postId : [a('posts', 'title'), title];
                  // A lookup names the entity by the value it would otherwise be written with.
                  const written = (
                    etype: string,
                    ref: unknown,
                    fields: Record<string, unknown>,
                    params: Record<string, unknown>,
                  ) => [...s.entity(etype, ref, refType === 'id' ? fields : {}), ['rule-params', ref, etype, params]];
                  const userTx = written('users', userRef, { email }, { users_create: true });
                  const postCreate = ruleParams.posts_create ?? true;
                  const postTx = written('posts', postRef, { title }, { posts_create: postCreate });
                  const { setup, tx } = updatedFirst(
                    [
                      [userAction, userTx],
                      [postAction, postTx],
                    ],
                    [
                      pos === 'user'
                        ? ['rule-params', userRef, 'users', ruleParams]
                        : ['rule-params', postRef, 'posts', ruleParams],
                      ['add-triple', postRef, a('posts', attr), userRef],
                    ],
                  );
                  if (setup.length) ok(await s.transact(setup));
                  const expected = Object.values(ruleParams).every(Boolean);
                  const answer = await s.transact(tx);
                  expect(
                    answer.op,
                    `${userAction} ${postAction} ${refType} ${attr} ${JSON.stringify(ruleParams)} on ${pos}: ${JSON.stringify(answer)}`,
                  ).toBe(expected ? 'transact-ok' : 'error');
                  if (!expected) expect(answer.type).toBe('permission-denied');
                  cases++;
                }
            }
          }
      expect(cases).toBe(192);
    },
  );
});

describe('linkedData.ref', () => {
  it(
    from(
      F,
      'linked-data-etype',
      'linkedData.ref follows links from the other side of the link, in link and unlink rules',
    ),
    async () => {
      const s4 = i.schema({
        entities: { profiles: i.entity({}), users: i.entity({}), posts: i.entity({}), comments: i.entity({}) },
        links: {
          userProfile: link(['users', 'one', 'profile'], ['profiles', 'one', 'user']),
          postUser: link(['posts', 'one', 'user'], ['users', 'many', 'posts']),
          commentPost: link(['comments', 'one', 'post'], ['posts', 'many', 'comments']),
        },
      });
      const app = await throwawayApp({
        schema: s4,
        rules: {
          posts: linkRules(
            'user',
            "ruleParams.profile_id in linkedData.ref('profile.id')",
            "ruleParams.comment_id in linkedData.ref('posts.comments.id')",
          ),
          users: linkRules(
            'posts',
            "ruleParams.comment_id in linkedData.ref('comments.id')",
            "ruleParams.profile_id in linkedData.ref('user.profile.id')",
          ),
        },
      });
      const [profile, user, post, comment] = [id(), id(), id(), id()];
      const admin = adminFor(app, s4);
      await admin.transact([
        admin.tx.profiles[profile].update({}),
        admin.tx.users[user].update({}).link({ profile }),
        admin.tx.posts[post].update({}),
        admin.tx.comments[comment].update({}).link({ post }),
      ]);
      const s = await rawSession(app);
      sessions.push(s);
      const userAttr = s.attr('posts', 'user');
      // The passing link leaves the pair linked, so the unlink matrix that follows has a link to remove.
      for (const [op, postParams, userParams] of [
        ['add-triple', { profile_id: profile }, { comment_id: comment }],
        ['retract-triple', { comment_id: comment }, { profile_id: profile }],
      ] as const) {
        for (const withPost of [false, true])
          for (const withUser of [false, true]) {
            const answer = await s.transact([
              [op, post, userAttr, user],
              ...(withPost ? [['rule-params', post, 'posts', postParams]] : []),
              ...(withUser ? [['rule-params', user, 'users', userParams]] : []),
            ]);
            expect(answer.op, `${op} post:${withPost} user:${withUser} ${JSON.stringify(answer)}`).toBe(
              withPost && withUser ? 'transact-ok' : 'error',
            );
          }
      }
    },
  );
});

describe('attribute idents', () => {
  it(
    from(F, 'duplicate-ident-data-test', 'adding an attr whose name exists is record-not-unique, naming it'),
    async () => {
      const { s } = await appAndClient();
      const answer = await s.transact([['add-attr', attrDef('posts', 'title', { 'index?': true })]]);
      refused(answer, 'record-not-unique', '`title` already exists on `posts`');
      expect(answer.hint).toEqual({ 'record-type': 'ident', etype: 'posts', label: 'title' });
    },
  );
});

describe('onDelete: cascade', () => {
  /** An app whose schema is these entities and links, as its admin SDK sees it. */
  const adminWith = async (entities: Record<string, any>, links: Record<string, unknown>) =>
    (await throwawayApp({ schema: i.schema({ entities, links: links as any }) })).admin as any;
  const names = async (admin: any, etypes: string[]) => {
    const r = (await admin.query(Object.fromEntries(etypes.map((e) => [e, {}])))) as Record<string, { id: string }[]>;
    return etypes.flatMap((e) => r[e].map((x) => `${e}:${x.id}`)).sort();
  };
  const authors = { user: i.entity({ name: i.string() }), book: i.entity({ title: i.string() }) };

  for (const c of [
    {
      test: 'on-delete-cascade',
      what: 'deleting the target of a cascading link deletes its sources, not the other way',
      links: { author: link(['book', 'one', 'author'], ['user', 'many', 'books'], 'forward') },
      write: (admin: any, a: string, b1: string, b2: string) => [
        admin.tx.user[a].update({ name: 'Leo' }),
        admin.tx.book[b1].update({ title: 'W&P' }).link({ author: a }),
        admin.tx.book[b2].update({ title: 'AK' }).link({ author: a }),
      ],
    },
    {
      test: 'on-delete-cascade-reverse',
      what: 'onDelete on the reverse side: deleting the source deletes its targets',
      links: { books: link(['user', 'many', 'books'], ['book', 'one', 'author'], 'reverse') },
      write: (admin: any, a: string, b1: string, b2: string) => [
        admin.tx.book[b1].update({ title: 'x' }),
        admin.tx.book[b2].update({ title: 'y' }),
        admin.tx.user[a].update({ name: 'Leo' }).link({ books: [b1, b2] }),
      ],
    },
  ]) {
    it(from(F, c.test, c.what), async () => {
      const admin = await adminWith(authors, c.links);
      const [a, b1, b2] = [id(), id(), id()];
      await admin.transact(c.write(admin, a, b1, b2));
      await admin.transact(admin.tx.book[b1].delete());
      expect(await names(admin, ['user', 'book'])).toEqual([`book:${b2}`, `user:${a}`].sort());
      await admin.transact(admin.tx.user[a].delete());
      expect(await names(admin, ['user', 'book'])).toEqual([]);
    });
  }

  it(
    from(F, 'on-delete-cascade-mixed', 'cascades chain through both directions: A <- B -> C <- D -> E <- F'),
    async () => {
      const all = ['A', 'B', 'C', 'D', 'E', 'F'];
      const admin = await adminWith(Object.fromEntries(all.map((e) => [e, i.entity({ n: i.string().optional() })])), {
        ba: link(['B', 'one', 'a'], ['A', 'many', 'bs'], 'forward'),
        bc: link(['B', 'many', 'c'], ['C', 'one', 'bs'], 'reverse'),
        dc: link(['D', 'one', 'c'], ['C', 'many', 'ds'], 'forward'),
        de: link(['D', 'many', 'e'], ['E', 'one', 'ds'], 'reverse'),
        fe: link(['F', 'one', 'e'], ['E', 'many', 'fs'], 'forward'),
      });
      const [a, b, c, d, e, f] = [id(), id(), id(), id(), id(), id()];
      await admin.transact([
        admin.tx.A[a].update({}),
        admin.tx.C[c].update({}),
        admin.tx.E[e].update({}),
        admin.tx.B[b].update({}).link({ a, c }),
        admin.tx.D[d].update({}).link({ c, e }),
        admin.tx.F[f].update({}).link({ e }),
      ]);
      expect(await names(admin, all)).toHaveLength(6);
      await admin.transact(admin.tx.A[a].delete());
      expect(await names(admin, all)).toEqual([]);
    },
  );

  it(from(F, 'on-delete-cascade-cycle', 'a cascade cycle ends'), async () => {
    const admin = await adminWith(
      { users: i.entity({ name: i.string() }) },
      { friend: link(['users', 'one', 'friend'], ['users', 'one', 'friendOf'], 'forward') },
    );
    const [a, b] = [id(), id()];
    await admin.transact([
      admin.tx.users[a].update({ name: 'Ivan' }),
      admin.tx.users[b].update({ name: 'Oleg' }).link({ friend: a }),
    ]);
    await admin.transact(admin.tx.users[a].link({ friend: b }));
    await admin.transact(admin.tx.users[a].delete());
    expect(await names(admin, ['users'])).toEqual([]);
  });

  it(
    from(
      F,
      'on-delete-cascade-etypes',
      'a cascade deletes the entity in the linked namespace only; the same id elsewhere stays',
    ),
    async () => {
      const admin = await adminWith(
        {
          users: i.entity({ name: i.string() }),
          posts: i.entity({ n: i.number() }),
          person: i.entity({ height: i.number() }),
          car: i.entity({ model: i.string() }),
        },
        { author: link(['posts', 'one', 'author'], ['users', 'many', 'posts'], 'forward') },
      );
      const [a, b] = [id(), id()];
      await admin.transact([
        admin.tx.users[a].update({ name: 'Ivan' }),
        admin.tx.person[a].update({ height: 170 }),
        admin.tx.posts[b].update({ n: 123 }).link({ author: a }),
        admin.tx.car[b].update({ model: 'BMW' }),
      ]);
      await admin.transact(admin.tx.users[a].delete());
      expect(await names(admin, ['users', 'posts', 'person', 'car'])).toEqual([`car:${b}`, `person:${a}`].sort());
    },
  );
});
