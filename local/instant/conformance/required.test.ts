// Cases ported from upstream's transaction_test.clj deftests `required-attrs` and
// `required-attrs-shared-entity`: a write that leaves a live entity without a required attribute
// is refused (`validation-failed`, "Missing required attribute `etype/label`: <id>"), for clients
// (raw `transact` frames with attr ids, as upstream's tests send) and the admin SDK alike.
import { afterEach, describe, expect, it } from 'vitest';
import { i, id } from '@instantdb/core';
import { from, throwawayApp, type ThrowawayApp } from './harness.ts';
import { rawSession, type RawSession } from './raw-session.ts';

const F = 'transaction_test.clj';

// Upstream's attrs: book/title required, book/desc not; user and company have no required
// attribute but `id`; book/author (a required link) is added by the test with add-attr.
const schema = i.schema({
  entities: {
    book: i.entity({ title: i.string(), desc: i.string().optional() }),
    user: i.entity({ name: i.string().optional() }),
    company: i.entity({ name: i.string().optional() }),
  },
  links: {
    userCompany: {
      forward: { on: 'user', has: 'one', label: 'company', onDelete: 'cascade' },
      reverse: { on: 'company', has: 'many', label: 'users' },
    },
  },
});

const sessions: RawSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.close()));

async function session(app: ThrowawayApp) {
  const s = await rawSession(app);
  sessions.push(s);
  return s;
}

const ok = (f: Record<string, any>) => expect(f, JSON.stringify(f)).toMatchObject({ op: 'transact-ok' });
const missing = (f: Record<string, any>, name: string, eid: string) => {
  expect(f, JSON.stringify(f)).toMatchObject({ op: 'error', type: 'validation-failed' });
  expect(f.message).toBe(`Missing required attribute \`${name}\`: ${eid}`);
};

/** The book/author link (required), added as upstream's test adds it. */
function authorAttr() {
  return {
    id: id(),
    'forward-identity': [id(), 'book', 'author'],
    'reverse-identity': [id(), 'user', 'books'],
    'value-type': 'ref',
    cardinality: 'one',
    'unique?': false,
    'index?': false,
    'required?': true,
  };
}

describe('required attributes on writes', () => {
  for (const addOp of ['add-triple', 'deep-merge-triple']) {
    it(from(F, 'required-attrs', `${addOp}: adding, updating and removing required attributes and links`), async () => {
      const app = await throwawayApp({ schema });
      let s = await session(app);
      const author = authorAttr();
      // add-attr without existing entities
      ok(await s.transact([['add-attr', author]]));
      s = await session(app); // a session that knows book/author
      const a = (etype: string, label: string) => s.attr(etype, label);
      const [extraUser, extraBook] = [id(), id()];
      ok(
        await s.transact([
          ['add-triple', extraUser, a('user', 'id'), extraUser],
          ['add-triple', extraUser, a('user', 'name'), 'extra user'],
          ['add-triple', extraBook, a('book', 'id'), extraBook],
          ['add-triple', extraBook, a('book', 'title'), 'extra title'],
          ['add-triple', extraBook, author.id, extraUser],
        ]),
      );
      // add-attr with existing entities
      const price = {
        ...authorAttr(),
        'forward-identity': [id(), 'book', 'price'],
        'reverse-identity': null,
        'value-type': 'blob',
      };
      const refusedPrice = await s.transact([['add-attr', price]]);
      expect(refusedPrice).toMatchObject({ op: 'error', type: 'validation-failed' });
      expect(refusedPrice.message).toContain(
        "Can't create attribute `price` as required because `book` already have entities",
      );

      const [user, book, company] = [id(), id(), id()];
      ok(
        await s.transact([
          [addOp, user, a('user', 'id'), user],
          [addOp, user, a('user', 'name'), 'user'],
          ['add-triple', user, a('user', 'company'), company],
          [addOp, company, a('company', 'id'), company],
          [addOp, company, a('company', 'name'), 'company'],
        ]),
      );
      // add without required: no title (nor author)
      const noTitle = await s.transact([
        [addOp, book, a('book', 'id'), book],
        [addOp, book, a('book', 'desc'), 'no title'],
      ]);
      expect(noTitle, JSON.stringify(noTitle)).toMatchObject({ op: 'error', type: 'validation-failed' });
      expect(noTitle.message).toContain(`Missing required attribute \`book/title\`: ${book}`);
      expect(noTitle.message).toContain(`Missing required attribute \`book/author\`: ${book}`);
      // add with required
      ok(
        await s.transact([
          [addOp, book, a('book', 'id'), book],
          [addOp, book, a('book', 'title'), 'title'],
          [addOp, book, a('book', 'desc'), 'desc'],
          ['add-triple', book, author.id, user],
        ]),
      );
      // update required; retract + insert required in one transaction; update non-required
      ok(
        await s.transact([
          [addOp, book, a('book', 'id'), book],
          [addOp, book, a('book', 'title'), 'title upd'],
        ]),
      );
      ok(
        await s.transact([
          [addOp, book, a('book', 'id'), book],
          ['retract-triple', book, a('book', 'title'), 'title upd'],
          [addOp, book, a('book', 'title'), 'title upd 2'],
        ]),
      );
      ok(
        await s.transact([
          [addOp, book, a('book', 'id'), book],
          [addOp, book, a('book', 'desc'), 'desc upd'],
        ]),
      );
      // remove required: a field, a link, through delete-entity of the target, through a cascade
      missing(await s.transact([['retract-triple', book, a('book', 'title'), 'title upd 2']]), 'book/title', book);
      missing(await s.transact([['retract-triple', book, author.id, user]]), 'book/author', book);
      missing(await s.transact([['delete-entity', user, 'user']]), 'book/author', book);
      missing(await s.transact([['delete-entity', company, 'company']]), 'book/author', book);
      // setting a required attribute to null removes it too
      missing(await s.transact([[addOp, book, a('book', 'title'), null]]), 'book/title', book);
      // remove non-required
      ok(await s.transact([['retract-triple', book, a('book', 'desc'), 'desc upd']]));
      // update last required; remove the last required (the entity is gone, nothing is missing)
      ok(
        await s.transact([
          [addOp, book, a('book', 'id'), book],
          [addOp, book, a('book', 'title'), 'title upd 3'],
        ]),
      );
      ok(
        await s.transact([
          ['retract-triple', book, a('book', 'id'), book],
          ['retract-triple', book, a('book', 'title'), 'title upd 3'],
          ['retract-triple', book, author.id, user],
        ]),
      );
      // delete-entity of a complete book
      ok(
        await s.transact([
          [addOp, book, a('book', 'id'), book],
          [addOp, book, a('book', 'title'), 'title'],
          [addOp, book, a('book', 'desc'), 'desc'],
          ['add-triple', book, author.id, user],
        ]),
      );
      ok(await s.transact([['delete-entity', book, 'book']]));
      const q = await s.query({ book: {}, user: {}, company: {} });
      expect(q.op).toBe('add-query-ok');
      const got = await app.admin.query({ book: {}, user: {}, company: {} });
      expect(got.book.map((b) => b.id)).toEqual([extraBook]);
      expect(got.user.map((u) => u.id).sort()).toEqual([extraUser, user].sort());
      expect(got.company.map((c) => c.id)).toEqual([company]);
    });
  }

  it(from(F, 'required-attrs', 'the admin SDK is held to required attributes too'), async () => {
    const app = await throwawayApp({ schema });
    const book = id();
    await expect(app.admin.transact(app.admin.tx.book[book].update({ desc: 'no title' } as any))).rejects.toMatchObject(
      {
        body: { type: 'validation-failed', message: `Missing required attribute \`book/title\`: ${book}` },
      },
    );
    await app.admin.transact(app.admin.tx.book[book].update({ title: 't', desc: 'd' }));
    await expect(app.admin.transact(app.admin.tx.book[book].update({ title: null } as any))).rejects.toMatchObject({
      body: { type: 'validation-failed', message: `Missing required attribute \`book/title\`: ${book}` },
    });
    await app.admin.transact(app.admin.tx.book[book].update({ desc: null }));
    const got = await app.admin.query({ book: {} });
    expect(got.book).toEqual([{ id: book, title: 't' }]);
    // Refused over raw HTTP the same way, with upstream's hint naming the records.
    const other = id();
    const res = await app.http('POST', '/admin/transact', { steps: [['update', 'book', other, { desc: 'x' }]] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: 'validation-failed',
      message: `Missing required attribute \`book/title\`: ${other}`,
      hint: { records: [{ entity_id: other, etype: 'book', label: 'title' }] },
    });
  });

  it(
    from(
      F,
      'required-attrs-shared-entity',
      'deleting one namespace of an id and writing another is not held to the first',
    ),
    async () => {
      const shared = i.schema({
        entities: {
          users: i.entity({ name: i.string() }),
          profiles: i.entity({ name: i.string() }),
          random: i.entity({}),
        },
      });
      const app = await throwawayApp({ schema: shared });
      const s = await session(app);
      const user = id();
      ok(
        await s.transact([
          ['add-triple', user, s.attr('profiles', 'id'), user],
          ['add-triple', user, s.attr('profiles', 'name'), 'profile name'],
          ['add-triple', user, s.attr('users', 'id'), user],
          ['add-triple', user, s.attr('users', 'name'), 'user name'],
        ]),
      );
      ok(
        await s.transact([
          ['delete-entity', user, 'users'],
          ['add-triple', user, s.attr('random', 'id'), user],
        ]),
      );
      const got = await app.admin.query({ users: {}, profiles: {}, random: {} });
      expect(got.users).toEqual([]);
      expect(got.profiles).toEqual([{ id: user, name: 'profile name' }]);
      expect(got.random.map((r) => r.id)).toEqual([user]);
    },
  );
});
