// Client-side transactions and nested queries through the unmodified @instantdb/core client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { id, lookup } from '@instantdb/core';
import { adminFor, clientFor, nextResult } from '../../tests/support/instant-clients.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';
import { testRules, testSchema } from './fixtures.test-schema.ts';
import { rawSession } from './conformance/raw-session.ts';

let server: InstantLocal;
const clients: ReturnType<typeof clientFor>[] = [];
const rules = {
  ...testRules,
  // Open `slots` and item links for this file only, to drive every transaction kind from a client.
  slots: { allow: { view: 'true', create: 'true', update: 'true', delete: 'true' } },
};

beforeAll(async () => {
  server = await startInstantLocal({ memory: true, schema: JSON.parse(JSON.stringify(testSchema)), rules });
});
afterAll(async () => {
  clients.forEach((c) => c.shutdown());
  await server.close();
});

const client = () => {
  const c = clientFor(server, testSchema);
  clients.push(c);
  return c;
};

describe('client transactions', () => {
  it("pushes one client's write to another client's live query", async () => {
    const writer = client();
    const reader = client();
    await nextResult(reader, { slots: {} }, (r) => Boolean(r.data));
    const seen = nextResult(reader, { slots: {} }, (r) =>
      Boolean(r.data?.slots?.some((s: any) => s.key === 'from-writer')),
    );
    await writer.transact(writer.tx.slots[id()].update({ key: 'from-writer' }));
    expect((await seen).data!.slots.map((s: any) => s.key)).toContain('from-writer');
  });

  it('updates, deletes and upserts through lookups on unique attributes', async () => {
    const db = client();
    await db.transact(db.tx.slots[lookup('key', 'by-lookup')].update({}));
    const admin = adminFor(server);
    const created = (await admin.query({ slots: { $: { where: { key: 'by-lookup' } } } })).slots;
    expect(created).toHaveLength(1);
    await db.transact(db.tx.slots[lookup('key', 'by-lookup')].delete());
    expect((await admin.query({ slots: { $: { where: { key: 'by-lookup' } } } })).slots).toEqual([]);
  });

  it('refuses a client create of an id that exists and a client update mode on a missing id', async () => {
    const db = client();
    const sid = id();
    await db.transact(db.tx.slots[sid].create({ key: 'mode-a' }));
    await expect(db.transact(db.tx.slots[sid].create({ key: 'mode-b' }))).rejects.toMatchObject({
      message: expect.stringContaining('exist'),
    });
    await expect(db.transact(db.tx.slots[id()].update({ key: 'mode-c' }, { upsert: false }))).rejects.toMatchObject({
      message: expect.stringContaining("don't exist"),
    });
  });
});

describe('nested queries', () => {
  it('returns linked entities a level down, and only those the viewer may see', async () => {
    const admin = adminFor(server);
    const item = id();
    await admin.transact([
      admin.tx.items[item].update({ name: 'nested', order: 1 }),
      admin.tx.purchases[id()].update({ token: 'nest-tok', email: 'nest@x.io', status: 'paid' }).link({ items: item }),
    ]);
    const asAdmin = await admin.query({ items: { $: { where: { id: item } }, purchases: {} } });
    expect((asAdmin.items[0] as any).purchases.map((p: any) => p.token)).toEqual(['nest-tok']);

    const guest = client();
    const r = await nextResult(guest, { items: { $: { where: { id: item } }, purchases: {} } }, (x) =>
      Boolean(x.data?.items?.length),
    );
    expect(r.data!.items[0].name).toBe('nested');
    expect(r.data!.items[0].purchases).toEqual([]);

    const token = await admin.auth.createToken({ email: 'nest@x.io' });
    const owner = client();
    await owner.auth.signInWithToken(token);
    const mine = await nextResult(owner, { items: { $: { where: { id: item } }, purchases: {} } }, (x) =>
      Boolean(x.data?.items?.[0]?.purchases?.length),
    );
    expect(mine.data!.items[0].purchases.map((p: any) => p.token)).toEqual(['nest-tok']);
  });

  it('merges JSON values deeply and unlinks', async () => {
    const admin = adminFor(server);
    const item = id();
    const p = id();
    await admin.transact([
      admin.tx.items[item].update({ name: 'json', order: 1, tags: { a: 1, b: { c: 2 } } }),
      admin.tx.purchases[p].update({ token: 'unlink-tok', email: 'u@x.io', status: 'paid' }).link({ items: item }),
    ]);
    await admin.transact([
      admin.tx.items[item].merge({ tags: { b: { d: 3 }, a: null } }),
      admin.tx.purchases[p].unlink({ items: item }),
    ]);
    const got = (await admin.query({ items: { $: { where: { id: item } }, purchases: {} } })).items[0];
    expect(got.tags).toEqual({ b: { c: 2, d: 3 } });
    expect(got.purchases).toEqual([]);
  });
});

describe('raw frames from a stranger', () => {
  it('retracts an optional field unchecked, as on Instant (which asks no rule for it), never a required field or a link', async () => {
    const admin = adminFor(server);
    const [item, p] = [id(), id()];
    await admin.transact([
      admin.tx.items[item].update({ name: 'retract', order: 1, secret: 's3cret' }),
      admin.tx.purchases[p].update({ token: 'retract-tok', email: 'owner@x.io', status: 'paid' }).link({ items: item }),
    ]);
    const read = async () =>
      (await admin.query({ items: { $: { where: { id: item } }, purchases: {} } })).items[0] as any;
    const app = { url: server.url, appId: server.appId, adminToken: server.adminToken };
    const s = await rawSession(app);
    try {
      // `items` allows no update, yet its optional field goes, once the exact value is named.
      expect(await s.transact([['retract-triple', item, s.attr('items', 'secret'), 'a guess']])).toMatchObject({
        op: 'transact-ok',
      });
      expect((await read()).secret).toBe('s3cret');
      expect(await s.transact([['retract-triple', item, s.attr('items', 'secret'), 's3cret']])).toMatchObject({
        op: 'transact-ok',
      });
      // A required field: the required check after the write refuses it.
      expect(await s.transact([['retract-triple', p, s.attr('purchases', 'status'), 'paid']])).toMatchObject({
        op: 'error',
        type: 'validation-failed',
      });
      // A link: the update rule of its entity.
      expect(await s.transact([['retract-triple', p, s.attr('purchases', 'items'), item]])).toMatchObject({
        op: 'error',
        type: 'permission-denied',
      });
    } finally {
      s.close();
    }
    const after = await read();
    expect(after).not.toHaveProperty('secret');
    expect(after.purchases.map((x: any) => [x.id, x.status])).toEqual([[p, 'paid']]);
  });

  it('cannot create $users, write their system columns or plant fields for a future sign-in', async () => {
    const app = { url: server.url, appId: server.appId, adminToken: server.adminToken };
    const s = await rawSession(app);
    try {
      const u = id();
      const steps = [
        [['add-triple', u, s.attr('$users', 'id'), u]],
        [['add-triple', u, s.attr('$users', 'credits'), 1000]],
        [['add-triple', [s.attr('$users', 'email'), 'future@x.io'], s.attr('$users', 'credits'), 1000]],
        [['add-triple', u, s.attr('$users', 'email'), 'future@x.io']],
      ];
      const refusal = { op: 'error', type: 'validation-failed', message: expect.stringMatching(/\$users/) };
      for (const tx of steps) expect(await s.transact(tx)).toMatchObject(refusal);
    } finally {
      s.close();
    }
    const admin = adminFor(server);
    const token = await admin.auth.createToken({ email: 'future@x.io' });
    const user = await admin.auth.verifyToken(token);
    expect(user).not.toHaveProperty('credits');
  });
});

describe('attribute deletes', () => {
  it('survive a restart: the attr and its values stay gone, the rest stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'instant-local-'));
    try {
      const first = await startInstantLocal({ dataDir: dir, schema: JSON.parse(JSON.stringify(testSchema)), rules });
      const admin = adminFor(first);
      const item = id();
      await admin.transact((admin.tx as any).items[item].update({ name: 'kept', order: 1, colour: 'red' }));
      const s = await rawSession({ url: first.url, appId: first.appId, adminToken: first.adminToken }, { admin: true });
      const answer = await s.transact([['delete-attr', s.attr('items', 'colour')]]);
      s.close();
      expect(answer.op).toBe('transact-ok');
      await first.close();
      const second = await startInstantLocal({ dataDir: dir, schema: JSON.parse(JSON.stringify(testSchema)), rules });
      try {
        const got = (await adminFor(second).query({ items: { $: { where: { id: item } } } })).items[0] as Record<
          string,
          unknown
        >;
        expect(got).toMatchObject({ name: 'kept', order: 1 });
        expect(got).not.toHaveProperty('colour');
        const after = await rawSession({ url: second.url, appId: second.appId, adminToken: second.adminToken });
        after.close();
        expect(
          after.attrs.some((a) => a['forward-identity'][1] === 'items' && a['forward-identity'][2] === 'colour'),
        ).toBe(false);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
