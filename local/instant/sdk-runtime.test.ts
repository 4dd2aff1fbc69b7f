// The unmodified Instant SDKs (client over WebSocket, admin over HTTP) against instant-local.
import { describe, expect, it } from 'vitest';
import { id } from '@instantdb/core';
import { adminFor, nextResult } from '../../tests/support/instant-clients.ts';
import { fixtureServer } from './fixture-server.test-support.ts';

const f = fixtureServer();

describe('queries and live updates', () => {
  it('returns admin-written data to a client query and pushes later writes live', async () => {
    const a = id();
    await f.admin.transact(f.admin.tx.items[a].update({ name: 'Dune', order: 1 }));
    const db = f.client();
    const first = await nextResult(db, { items: {} }, (r) => Boolean(r.data?.items?.some((x: any) => x.id === a)));
    expect(first.data!.items.find((x: any) => x.id === a).name).toBe('Dune');

    const b = id();
    const live = nextResult(db, { items: {} }, (r) => Boolean(r.data?.items?.some((x: any) => x.id === b)));
    await f.admin.transact(f.admin.tx.items[b].update({ name: 'Solaris', order: 2 }));
    const after = await live;
    expect(after.data!.items.map((x: any) => x.name)).toEqual(expect.arrayContaining(['Dune', 'Solaris']));
  });

  it('supports where (equality, $in, $like, $isNull, linked fields, and/or), order and limit', async () => {
    const ids = [id(), id(), id()];
    await f.admin.transact([
      f.admin.tx.items[ids[0]].update({ name: 'alpha-w', order: 30 }),
      f.admin.tx.items[ids[1]].update({ name: 'beta-w', order: 10 }),
      f.admin.tx.items[ids[2]].update({ name: 'gamma-w', order: 20, tags: { k: 1 } }),
      f.admin.tx.purchases[id()]
        .update({ token: 'tok-where', email: 'w@x.io', status: 'paid' })
        .link({ items: ids[1] }),
    ]);
    const q = async (where: any, extra: any = {}) =>
      (await f.admin.query({ items: { $: { where, ...extra } } })).items.map((x: any) => x.name).sort();
    expect(await q({ name: 'alpha-w' })).toEqual(['alpha-w']);
    expect(await q({ name: { $in: ['alpha-w', 'gamma-w'] } })).toEqual(['alpha-w', 'gamma-w']);
    expect(await q({ name: { $like: '%-w' }, order: { $gt: 15 } })).toEqual(['alpha-w', 'gamma-w']);
    expect(await q({ 'purchases.token': 'tok-where' })).toEqual(['beta-w']);
    expect(await q({ or: [{ name: 'alpha-w' }, { name: 'beta-w' }] })).toEqual(['alpha-w', 'beta-w']);
    expect(await q({ and: [{ name: { $like: '%w' } }, { tags: { $isNull: false } }] })).toEqual(['gamma-w']);
    const ordered = await f.admin.query({
      items: { $: { where: { name: { $like: '%-w' } }, order: { order: 'desc' }, limit: 2 } },
    });
    expect(ordered.items.map((x: any) => x.name)).toEqual(['alpha-w', 'gamma-w']);

    const db = f.client();
    const r = await nextResult(
      db,
      { items: { $: { where: { name: { $like: '%-w' } }, order: { order: 'asc' }, limit: 2 } } },
      (r) => Boolean(r.data),
    );
    expect(r.data!.items.map((x: any) => x.name)).toEqual(['beta-w', 'gamma-w']);
  });

  it("refuses ordering by an attribute that is not indexed, with Instant's error", async () => {
    await expect(f.admin.query({ items: { $: { order: { secret: 'asc' } } } } as any)).rejects.toMatchObject({
      body: { type: 'validation-failed' },
    });
  });
});

describe('permissions', () => {
  it('hides a field unless ruleParams carry a token of a linked purchase', async () => {
    const item = id();
    await f.admin.transact([
      f.admin.tx.items[item].update({ name: 'Locked', order: 5, secret: 'full-res' }),
      f.admin.tx.purchases[id()].update({ token: 'tok-ok', email: 'p@x.io', status: 'paid' }).link({ items: item }),
    ]);
    const db = f.client();
    /** The item as a client sees it, with `ruleParams` if given. */
    const seen = async (ruleParams?: Record<string, string>) =>
      (
        await nextResult(
          db,
          { items: { $: { where: { id: item } } } },
          (r) => Boolean(r.data?.items?.length),
          ruleParams && { ruleParams },
        )
      ).data!.items[0];
    const none = await seen();
    expect(none.name).toBe('Locked');
    expect(none).not.toHaveProperty('secret');
    expect(await seen({ token: 'nope' })).not.toHaveProperty('secret');
    expect((await seen({ token: 'tok-ok' })).secret).toBe('full-res');

    // A where on the hidden field drops the entity for a stranger.
    const probe = await f.admin.asUser({ guest: true }).query({ items: { $: { where: { secret: 'full-res' } } } });
    expect(probe.items).toEqual([]);
  });

  it('unlocks a field live when the purchase that grants it is written', async () => {
    const item = id();
    await f.admin.transact(f.admin.tx.items[item].update({ name: 'Later', order: 6, secret: 'later-secret' }));
    const db = f.client();
    const q = { items: { $: { where: { id: item } } } };
    await nextResult(db, q, (r) => Boolean(r.data?.items?.length), { ruleParams: { token: 'tok-live' } });
    const unlocked = nextResult(db, q, (r) => r.data?.items?.[0]?.secret === 'later-secret', {
      ruleParams: { token: 'tok-live' },
    });
    await f.admin.transact(
      f.admin.tx.purchases[id()].update({ token: 'tok-live', email: 'l@x.io', status: 'paid' }).link({ items: item }),
    );
    expect((await unlocked).data!.items[0].secret).toBe('later-secret');
  });

  it("denies client writes where rules say false, with Instant's error, and writes nothing", async () => {
    const db = f.client();
    const item = id();
    await expect(db.transact(db.tx.items[item].update({ name: 'hack', order: 1 }))).rejects.toMatchObject({
      message: expect.stringContaining('Permission denied'),
    });
    const check = await f.admin.query({ items: { $: { where: { id: item } } } });
    expect(check.items).toEqual([]);
  });

  it('shows purchases only to the signed-in owner (auth.email) and never to a guest', async () => {
    await f.admin.transact(
      f.admin.tx.purchases[id()].update({ token: 'tok-own', email: 'owner@x.io', status: 'paid' }),
    );
    const token = await f.admin.auth.createToken({ email: 'owner@x.io' });
    const mine = await f.admin.asUser({ token }).query({ purchases: {} });
    expect(mine.purchases.map((p: any) => p.token)).toEqual(['tok-own']);
    const guest = await f.admin.asUser({ guest: true }).query({ purchases: {} });
    expect(guest.purchases).toEqual([]);
    const other = await f.admin
      .asUser({ email: 'w@x.io' })
      .query({ purchases: {} })
      .catch((e: any) => e.body);
    expect(other.type ?? other.purchases.length).toBeTruthy();
  });
});

describe('transactions', () => {
  it('enforces unique atomically: of two concurrent writers exactly one wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => f.admin.transact(f.admin.tx.slots[id()].create({ key: 'only-one' }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.body.type).toBe('record-not-unique');
    expect((await f.admin.query({ slots: { $: { where: { key: 'only-one' } } } })).slots).toHaveLength(1);
  });

  it('fails a create of an entity that already exists, atomically', async () => {
    const sid = id();
    await f.admin.transact(f.admin.tx.slots[sid].create({ key: 'created-once' }));
    const other = id();
    await expect(
      f.admin.transact([
        f.admin.tx.slots[other].create({ key: 'side-effect' }),
        f.admin.tx.slots[sid].create({ key: 'again' }),
      ]),
    ).rejects.toMatchObject({ body: { type: 'validation-failed' } });
    expect((await f.admin.query({ slots: { $: { where: { id: other } } } })).slots).toEqual([]);
  });

  it('rejects a wrong value type and keeps the rest of the transaction unwritten', async () => {
    // Without a schema the admin SDK skips its own check, so the server's is what answers.
    const raw = adminFor(f.server);
    const good = id();
    await expect(
      raw.transact([
        raw.tx.items[good].update({ name: 'ok', order: 1 }),
        raw.tx.items[id()].update({ name: 'bad', order: 'x' }),
      ]),
    ).rejects.toMatchObject({ body: { type: 'validation-failed', message: expect.stringContaining('items.order') } });
    expect((await f.admin.query({ items: { $: { where: { id: good } } } })).items).toEqual([]);
  });

  it('cascades deletes along onDelete: "cascade" links', async () => {
    const token = await f.admin.auth.createToken({ email: 'cascade@x.io' });
    const user = await f.admin.auth.verifyToken(token);
    const note = id();
    await f.admin.transact(f.admin.tx.notes[note].update({ text: 'bye' }).link({ author: user.id }));
    expect((await f.admin.query({ notes: { $: { where: { id: note } } } })).notes).toHaveLength(1);
    await f.admin.auth.deleteUser({ id: user.id });
    expect((await f.admin.query({ notes: { $: { where: { id: note } } } })).notes).toEqual([]);
  });

  it("lets a signed-in client create and link its own note but not someone else's", async () => {
    const { user } = await signIn('author@x.io');
    const db = f.client();
    await db.auth.signInWithToken(user.refresh_token);
    const note = id();
    await db.transact(db.tx.notes[note].update({ text: 'mine' }).link({ author: user.id }));
    const seen = await nextResult(db, { notes: {} }, (r) => Boolean(r.data?.notes?.length));
    expect(seen.data!.notes.map((n: any) => n.text)).toEqual(['mine']);
    const other = await signIn('other@x.io');
    await expect(
      db.transact(db.tx.notes[id()].update({ text: 'forged' }).link({ author: other.user.id })),
    ).rejects.toMatchObject({
      message: expect.stringContaining('Permission denied'),
    });
  });
});

async function signIn(email: string) {
  const { code } = await f.admin.auth.generateMagicCode(email);
  return { user: await f.admin.auth.verifyMagicCode(email, code) };
}
