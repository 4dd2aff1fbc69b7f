// Cases ported from upstream's server/test/instant/db/cel_test.clj: how a rule evaluates (macros,
// truthiness, request fields, dates, failures). Upstream evaluates programs directly; here each
// rule guards a namespace of a throwaway app and the SDKs (or raw frames) ask.
import { afterEach, describe, expect, it } from 'vitest';
import { i, id } from '@instantdb/core';
import { from, throwawayApp } from './harness.ts';
import { rawSession, type RawSession } from './raw-session.ts';

const F = 'cel_test.clj';

const schema = i.schema({
  entities: {
    notes: i.entity({
      title: i.string().optional(),
      isFavorite: i.boolean().optional(),
      created: i.any().optional(),
      likes: i.number().optional(),
    }),
  },
});

const sessions: RawSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.close()));

async function session(rules: unknown) {
  const app = await throwawayApp({ schema, rules });
  const s = await rawSession(app);
  sessions.push(s);
  return { app, s };
}

/** Creates a note as a client under `create` rule `rule`; answers whether the server allowed it. */
async function createAllowed(rule: string): Promise<boolean> {
  const { s } = await session({ notes: { allow: { create: rule } } });
  const n = id();
  const answer = await s.transact([
    ['add-triple', n, s.attr('notes', 'id'), n],
    ['add-triple', n, s.attr('notes', 'title'), 't'],
  ]);
  if (answer.op === 'error' && answer.type !== 'permission-denied') throw new Error(JSON.stringify(answer));
  return answer.op === 'transact-ok';
}

describe('evaluation', () => {
  it(from(F, 'test-standard-macros', 'has, all, exists, exists_one, map and filter are available'), async () => {
    expect(await createAllowed('[1, 2, 3].all(x, x > 0)')).toBe(true);
    expect(await createAllowed('[1, 2, 3].all(x, x > 1)')).toBe(false);
    expect(await createAllowed('[1, 2, 3].exists(x, x > 2)')).toBe(true);
    expect(await createAllowed('[1, 2, 3].exists_one(x, x > 1)')).toBe(false);
    expect(await createAllowed('has(newData.title)')).toBe(true);
    // Instant's CelMap answers containsKey with true: has() of a missing field is true too.
    expect(await createAllowed('has(newData.likes)')).toBe(true);
  });

  it(
    from(F, 'test-cel-evaluation', 'a rule passes on any result but null and false (map and filter give lists)'),
    async () => {
      // Instant passes a check on `(boolean result)`: a list, even an empty one, passes.
      expect(await createAllowed('[1, 2, 3].map(x, x * 2)')).toBe(true);
      expect(await createAllowed('[1, 2, 3, 4].filter(x, x % 2 == 0)')).toBe(true);
      expect(await createAllowed('[1, 3].filter(x, x % 2 == 0)')).toBe(true);
      expect(await createAllowed('newData.likes')).toBe(false);
    },
  );

  it(from(F, 'parse-false-correctly', 'a false field denies and its negation allows'), async () => {
    const { app } = await session({ notes: { allow: { view: 'data.isFavorite' } } });
    await app.admin.transact([
      app.admin.tx.notes[id()].update({ title: 'fav', isFavorite: true }),
      app.admin.tx.notes[id()].update({ title: 'meh', isFavorite: false }),
    ]);
    const seen = await app.admin.asUser({ guest: true }).query({ notes: {} });
    expect(seen.notes.map((n: any) => n.title)).toEqual(['fav']);
    const neg = await session({ notes: { allow: { view: '!data.isFavorite' } } });
    await neg.app.admin.transact(neg.app.admin.tx.notes[id()].update({ title: 'meh', isFavorite: false }));
    expect((await neg.app.admin.asUser({ guest: true }).query({ notes: {} })).notes.map((n: any) => n.title)).toEqual([
      'meh',
    ]);
  });

  it(
    from(F, 'unknown-results-throw', 'a rule that cannot be evaluated answers permission-evaluation-failed'),
    async () => {
      const { s } = await session({ notes: { allow: { create: 'newData.missing.deeper == 1' } } });
      const n = id();
      const answer = await s.transact([['add-triple', n, s.attr('notes', 'id'), n]]);
      expect(answer).toMatchObject({
        op: 'error',
        type: 'permission-evaluation-failed',
        message:
          'Could not evaluate permission rule for `notes.create`. You may have a typo. ' +
          'Debug this in the sandbox and then update your permission rules.',
        hint: { rule: ['notes', 'create'] },
      });
    },
  );
});

describe('request', () => {
  it(
    from(F, 'request.time', 'request.time compares with timestamp() of a stored number (ms) or date string'),
    async () => {
      const { app } = await session({ notes: { allow: { view: 'request.time > timestamp(data.created)' } } });
      await app.admin.transact([
        app.admin.tx.notes[id()].update({ title: 'epoch', created: 0 }),
        app.admin.tx.notes[id()].update({ title: 'past', created: '2026-02-06T22:36:52.157181Z' }),
        app.admin.tx.notes[id()].update({ title: 'ms', created: Date.now() - 60_000 }),
        app.admin.tx.notes[id()].update({ title: 'future', created: '2999-01-01T00:00:00Z' }),
      ]);
      const seen = await app.admin.asUser({ guest: true }).query({ notes: {} });
      expect(seen.notes.map((n: any) => n.title).sort()).toEqual(['epoch', 'ms', 'past']);
    },
  );

  it(
    from(F, 'request-modified-fields-type-checking', 'a string in request.modifiedFields, and .all() over it'),
    async () => {
      const { app, s } = await session({
        notes: {
          allow: { update: '"likes" in request.modifiedFields && request.modifiedFields.all(f, f in ["likes"])' },
        },
      });
      const n = id();
      await app.admin.transact(app.admin.tx.notes[n].update({ title: 'x', likes: 0 }));
      expect((await s.transact([['add-triple', n, s.attr('notes', 'likes'), 1]])).op).toBe('transact-ok');
      expect(await s.transact([['add-triple', n, s.attr('notes', 'title'), 'y']])).toMatchObject({
        op: 'error',
        type: 'permission-denied',
      });
    },
  );

  it(
    from(
      F,
      'invalid-request-field-throws',
      'request.origin and request.ip are the caller\'s; "" when unknown (an unset proto field)',
    ),
    async () => {
      const { app } = await session({
        notes: { allow: { view: "request.origin == '' && request.ip == '' && size(request.modifiedFields) == 0" } },
      });
      await app.admin.transact(app.admin.tx.notes[id()].update({ title: 'x' }));
      expect((await app.admin.asUser({ guest: true }).query({ notes: {} })).notes).toHaveLength(1);

      const shop = await throwawayApp({
        schema,
        rules: { notes: { allow: { create: "request.origin == 'https://shop.example' && request.ip != ''" } } },
      });
      const step = (s: RawSession) => {
        const n = id();
        return [['add-triple', n, s.attr('notes', 'id'), n]];
      };
      const fromShop = await rawSession(shop, { origin: 'https://shop.example' });
      const fromElsewhere = await rawSession(shop, { origin: 'https://evil.example' });
      const noOrigin = await rawSession(shop);
      sessions.push(fromShop, fromElsewhere, noOrigin);
      expect((await fromShop.transact(step(fromShop))).op).toBe('transact-ok');
      expect(await fromElsewhere.transact(step(fromElsewhere))).toMatchObject({
        op: 'error',
        type: 'permission-denied',
      });
      expect(await noOrigin.transact(step(noOrigin))).toMatchObject({ op: 'error', type: 'permission-denied' });
    },
  );

  it(
    from(
      F,
      'unknown-results-throw',
      'admin routes show CEL\'s own error text (show-cel-errors?), runtime sessions "You may have a typo"',
    ),
    async () => {
      const { app, s } = await session({ notes: { allow: { create: 'newData.missing.deeper == 1' } } });
      const as = app.admin.asUser({ guest: true });
      const err = await as.transact(as.tx.notes[id()].update({ title: 'x' })).catch((e) => e);
      expect(err.body).toMatchObject({ type: 'permission-evaluation-failed' });
      expect(err.body.message).toMatch(/^Could not evaluate permission rule for `notes.create`\. /);
      expect(err.body.message).not.toContain('You may have a typo');
      const n = id();
      expect((await s.transact([['add-triple', n, s.attr('notes', 'id'), n]])).message).toContain(
        'You may have a typo',
      );
    },
  );
});
