// Cases ported from upstream's transaction_test.clj deftests `required-attrs` and
// `required-attrs-shared-entity`: a write that leaves a live entity without a required attribute
// is refused (`validation-failed`, "Missing required attribute `etype/label`: <id>"), for clients
// (raw `transact` frames with attr ids, as upstream's tests send) and the admin SDK alike.
import { afterEach, describe, expect, it } from 'vitest';
import { i, id } from '@instantdb/core';
import { link } from '../fixtures.test-schema.ts';
import { from, throwawayApp, type ThrowawayApp } from './harness.ts';
import { attrDef, rawSession, type RawSession } from './raw-session.ts';

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
    userCompany: link(['user', 'one', 'company'], ['company', 'many', 'users'], 'forward'),
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
const authorAttr = () =>
  attrDef('book', 'author', { 'reverse-identity': [id(), 'user', 'books'], 'value-type': 'ref', 'required?': true });

describe('required attributes on writes', () => {
  for (const addOp of ['add-triple', 'deep-merge-triple']) {
    it(from(F, 'required-attrs', `${addOp}: adding, updating and removing required attributes and links`), async () => {
      const app = await throwawayApp({ schema });
      let s = await session(app);
      const author = authorAttr();
      // add-attr without existing entities
      ok(await s.transact([['add-attr', author]]));
      s = await session(app); // a session that knows book/author
      const [extraUser, extraBook] = [id(), id()];
      ok(
        await s.transact([
          ...s.entity('user', extraUser, { name: 'extra user' }),
          ...s.entity('book', extraBook, { title: 'extra title' }),
          ['add-triple', extraBook, author.id, extraUser],
        ]),
      );
      // add-attr with existing entities
      const price = attrDef('book', 'price', { 'reverse-identity': null, 'required?': true });
      const refusedPrice = await s.transact([['add-attr', price]]);
      expect(refusedPrice).toMatchObject({ op: 'error', type: 'validation-failed' });
      expect(refusedPrice.message).toContain(
        "Can't create attribute `price` as required because `book` already have entities",
      );

      const [user, book, company] = [id(), id(), id()];
      ok(
        await s.transact([
          ...s.entity('user', user, { name: 'user' }, addOp),
          ['add-triple', user, s.attr('user', 'company'), company],
          ...s.entity('company', company, { name: 'company' }, addOp),
        ]),
      );
      // add without required: no title (nor author)
      const noTitle = await s.transact(s.entity('book', book, { desc: 'no title' }, addOp));
      expect(noTitle, JSON.stringify(noTitle)).toMatchObject({ op: 'error', type: 'validation-failed' });
      expect(noTitle.message).toContain(`Missing required attribute \`book/title\`: ${book}`);
      expect(noTitle.message).toContain(`Missing required attribute \`book/author\`: ${book}`);
      // add with required
      ok(
        await s.transact([
          ...s.entity('book', book, { title: 'title', desc: 'desc' }, addOp),
          ['add-triple', book, author.id, user],
        ]),
      );
      // update required; retract + insert required in one transaction; update non-required
      ok(await s.transact(s.entity('book', book, { title: 'title upd' }, addOp)));
      ok(
        await s.transact([
          ...s.entity('book', book, {}, addOp),
          ['retract-triple', book, s.attr('book', 'title'), 'title upd'],
          [addOp, book, s.attr('book', 'title'), 'title upd 2'],
        ]),
      );
      ok(await s.transact(s.entity('book', book, { desc: 'desc upd' }, addOp)));
      // remove required: a field, a link, through delete-entity of the target, through a cascade
      missing(await s.transact([['retract-triple', book, s.attr('book', 'title'), 'title upd 2']]), 'book/title', book);
      missing(await s.transact([['retract-triple', book, author.id, user]]), 'book/author', book);
      missing(await s.transact([['delete-entity', user, 'user']]), 'book/author', book);
      missing(await s.transact([['delete-entity', company, 'company']]), 'book/author', book);
      // setting a required attribute to null removes it too
      missing(await s.transact([[addOp, book, s.attr('book', 'title'), null]]), 'book/title', book);
      // remove non-required
      ok(await s.transact([['retract-triple', book, s.attr('book', 'desc'), 'desc upd']]));
      // update last required; remove the last required (the entity is gone, nothing is missing)
      ok(await s.transact(s.entity('book', book, { title: 'title upd 3' }, addOp)));
      ok(
        await s.transact([
          ...s.entity('book', book, { title: 'title upd 3' }, 'retract-triple'),
          ['retract-triple', book, author.id, user],
        ]),
      );
      // delete-entity of a complete book
      ok(
        await s.transact([
          ...s.entity('book', book, { title: 'title', desc: 'desc' }, addOp),
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
          ...s.entity('profiles', user, { name: 'profile name' }),
          ...s.entity('users', user, { name: 'user name' }),
        ]),
      );
      ok(await s.transact([['delete-entity', user, 'users'], ...s.entity('random', user)]));
      const got = await app.admin.query({ users: {}, profiles: {}, random: {} });
      expect(got.users).toEqual([]);
      expect(got.profiles).toEqual([{ id: user, name: 'profile name' }]);
      expect(got.random.map((r) => r.id)).toEqual([user]);
    },
  );
});
