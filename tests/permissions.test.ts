// instant.perms.ts starts from deny-all; each opening is checked here from the other side:
// a stranger (guest, or another signed-in user) is still refused. Queries and writes go through
// the admin SDK's impersonation, which applies the rules exactly as for a browser client.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { id } from '@instantdb/admin';
import { fulfillCheckout } from '../api/_lib/fulfillment/fulfill-checkout.ts';
import { rawSession } from '../local/instant/conformance/raw-session.ts';
import { clientFor, nextResult } from './support/instant-clients.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';
import { buy, signIn } from './support/shop.ts';

let shop: ShopStack;
let owner: { id: string; token: string };
let stranger: { id: string; token: string };
const ownerToken = randomUUID();

const denied = { body: { type: 'permission-denied' } };

beforeAll(async () => {
  shop = await startShopStack();
  await buy(shop, 'wallpapers-warm', 'owner@example.com', ownerToken);
  owner = await signIn(shop, 'owner@example.com');
  stranger = await signIn(shop, 'stranger@example.com');
  await shop.admin.transact([
    shop.admin.tx.haikus[id()]
      .update({ topic: 'mine', content: 'a b c', createdAt: Date.now() })
      .link({ author: owner.id }),
    shop.admin.tx.ledgerEntries[id()]
      .update({
        slot: `${owner.id}:1`,
        ref: `test:${owner.id}`,
        userId: owner.id,
        seq: 1,
        amount: 5,
        balance: 5,
        reason: 'test',
        createdAt: Date.now(),
      })
      .link({ owner: owner.id }),
  ]);
});
afterAll(() => shop.close());

const as = (who: { token: string } | 'guest') =>
  who === 'guest' ? shop.admin.asUser({ guest: true }) : shop.admin.asUser({ token: who.token });

describe('$users', () => {
  it('shows a user only itself', async () => {
    expect((await as(owner).query({ $users: {} })).$users.map((u: any) => u.id)).toEqual([owner.id]);
    expect((await as('guest').query({ $users: {} })).$users).toEqual([]);
  });

  it('lets no one change their own user (plan, Stripe customer, email)', async () => {
    await expect(
      as(owner).transact(shop.admin.tx.$users[owner.id].update({ plan: 'plan-large' })),
    ).rejects.toMatchObject(denied);
    await expect(
      as(owner).transact(shop.admin.tx.$users[owner.id].update({ stripeCustomerId: 'cus_forged' })),
    ).rejects.toMatchObject(denied);
  });
});

describe('purchases', () => {
  it('are visible to the owner by email and to the token holder, never to a stranger or a guest', async () => {
    expect((await as(owner).query({ purchases: {} })).purchases.map((p: any) => p.token)).toEqual([ownerToken]);
    expect(
      (await as('guest').query({ purchases: {} }, { ruleParams: { tokens: [ownerToken] } })).purchases,
    ).toHaveLength(1);
    expect((await as(stranger).query({ purchases: {} })).purchases).toEqual([]);
    expect((await as('guest').query({ purchases: {} })).purchases).toEqual([]);
    expect((await as('guest').query({ purchases: {} }, { ruleParams: { tokens: [randomUUID()] } })).purchases).toEqual(
      [],
    );
    // A where on a purchase field cannot fish for tokens either.
    expect((await as(stranger).query({ purchases: { $: { where: { token: { $like: '%' } } } } })).purchases).toEqual(
      [],
    );
  });

  it('cannot be written from a client, not even by their owner', async () => {
    const [p] = (await as(owner).query({ purchases: {} })).purchases as any[];
    await expect(as(owner).transact(shop.admin.tx.purchases[p.id].update({ status: 'paid' }))).rejects.toMatchObject(
      denied,
    );
    await expect(
      as(owner).transact(
        shop.admin.tx.purchases[id()].update({
          sessionId: 'cs_x',
          token: randomUUID(),
          status: 'paid',
          createdAt: Date.now(),
          updatedAt: Date.now(),
        }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(as(owner).transact(shop.admin.tx.purchases[p.id].delete())).rejects.toMatchObject(denied);
  });
});

describe('wallpapers', () => {
  it('are public to read but closed to writes and to linking', async () => {
    const { wallpapers } = await as('guest').query({ wallpapers: {} });
    expect(wallpapers.length).toBeGreaterThanOrEqual(8);
    const w = wallpapers[0] as any;
    await expect(
      as(stranger).transact(shop.admin.tx.wallpapers[w.id].update({ name: 'defaced' })),
    ).rejects.toMatchObject(denied);
    const [p] = (await as(owner).query({ purchases: {} })).purchases as any[];
    // Linking a wallpaper to one's own purchase (to unlock it) is refused.
    await expect(as(owner).transact(shop.admin.tx.purchases[p.id].link({ wallpapers: w.id }))).rejects.toMatchObject(
      denied,
    );
  });
});

describe('ledger, haikus and internal records', () => {
  it('shows ledger entries and haikus to their owner only; neither can be written from a client', async () => {
    expect((await as(owner).query({ ledgerEntries: {} })).ledgerEntries).toHaveLength(1);
    expect((await as(stranger).query({ ledgerEntries: {} })).ledgerEntries).toEqual([]);
    expect((await as(owner).query({ haikus: {} })).haikus).toHaveLength(1);
    expect((await as(stranger).query({ haikus: {} })).haikus).toEqual([]);
    await expect(
      as(owner).transact(
        shop.admin.tx.ledgerEntries[id()].update({
          slot: `${owner.id}:2`,
          ref: 'forged',
          userId: owner.id,
          seq: 2,
          amount: 1000,
          balance: 1005,
          reason: 'forged',
          createdAt: Date.now(),
        }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(
      as(owner).transact(shop.admin.tx.haikus[id()].update({ topic: 'x', content: 'y', createdAt: Date.now() })),
    ).rejects.toMatchObject(denied);
    const [h] = (await as(owner).query({ haikus: {} })).haikus as any[];
    await expect(as(stranger).transact(shop.admin.tx.haikus[h.id].delete())).rejects.toMatchObject(denied);
  });

  it('hides receipts and rate-limit slots from everyone', async () => {
    for (const who of [owner, stranger, 'guest'] as const) {
      const r = await as(who).query({ receipts: {}, rateSlots: {} });
      expect(r.receipts).toEqual([]);
      expect(r.rateSlots).toEqual([]);
    }
    expect((await shop.admin.query({ receipts: {} })).receipts.length).toBeGreaterThan(0);
  });

  it('hides applied-event records from everyone and lets no client forge or delete one', async () => {
    const { appliedEvents } = await shop.admin.query({ appliedEvents: {} });
    expect(appliedEvents.length).toBeGreaterThan(0);
    for (const who of [owner, stranger, 'guest'] as const) {
      expect((await as(who).query({ appliedEvents: {} })).appliedEvents).toEqual([]);
      // Forging one would make the shop skip a real event's redelivery.
      await expect(
        as(who).transact(
          shop.admin.tx.appliedEvents[id()].create({
            eventId: `evt_forged_${randomUUID()}`,
            type: 'checkout.session.completed',
            appliedAt: Date.now(),
          }),
        ),
      ).rejects.toMatchObject(denied);
      await expect(as(who).transact(shop.admin.tx.appliedEvents[appliedEvents[0].id].delete())).rejects.toMatchObject(
        denied,
      );
      await expect(
        as(who).transact(shop.admin.tx.appliedEvents[appliedEvents[0].id].update({ purchaseStatus: 'refunded' })),
      ).rejects.toMatchObject(denied);
    }
    expect(
      (await shop.admin.query({ appliedEvents: { $: { where: { id: appliedEvents[0].id } } } })).appliedEvents[0],
    ).toEqual(appliedEvents[0]);
  });
});

describe('raw retract frames', () => {
  it('take no required field, no link and no unit of credit from a row, whoever reads it', async () => {
    // Instant's server asks no rule when a client retracts a plain field (only a `required` one
    // cannot go), so every field that grants access or holds money is required. The owner, who
    // can read all of these rows, sends the frames with each field's exact value.
    const lot = id();
    const claim = id();
    await shop.admin.transact([
      shop.admin.tx.creditLots[lot]
        .create({ ref: `test-lot:${owner.id}`, userId: owner.id, size: 5, open: true, createdAt: Date.now() })
        .link({ owner: owner.id }),
      shop.admin.tx.creditClaims[claim]
        .create({ unit: `${lot}:0`, userId: owner.id, by: 'test', createdAt: Date.now() })
        .link({ lot }),
    ]);
    const rows = () =>
      shop.admin.query({
        purchases: { $: { where: { token: ownerToken } }, wallpapers: {} },
        ledgerEntries: { $: { where: { userId: owner.id } } },
        creditLots: { $: { where: { id: lot } }, claims: {} },
      }) as Promise<any>;
    const before = await rows();
    const [p] = before.purchases;
    const [w] = p.wallpapers; // one the owner bought: its full-resolution URL is theirs to read
    const [entry] = before.ledgerEntries;
    expect(w.fullResUrl).toMatch(/\S/);
    const s = await rawSession(shop.instant, { refreshToken: owner.token });
    try {
      const answers: Record<string, unknown>[] = [];
      for (const [etype, row, label, value] of [
        ['wallpapers', w, 'fullResUrl', w.fullResUrl],
        ['wallpapers', w, 'name', w.name],
        ['purchases', p, 'status', p.status],
        ['purchases', p, 'token', p.token],
        ['ledgerEntries', entry, 'amount', entry.amount],
        ['creditLots', { id: lot }, 'size', 5],
        ['creditLots', { id: lot }, 'open', true],
        ['creditClaims', { id: claim }, 'unit', `${lot}:0`],
      ] as const)
        answers.push(await s.transact([['retract-triple', row.id, s.attr(etype, label), value]]));
      expect(answers.map((a) => a.type)).toEqual(Array(8).fill('validation-failed'));
      // Links are checked with the entity's update rule: no purchase loses its wallpapers, no claim its lot.
      for (const [etype, from, label, to] of [
        ['purchases', p.id, 'wallpapers', w.id],
        ['creditClaims', claim, 'lot', lot],
      ] as const)
        expect(await s.transact([['retract-triple', from, s.attr(etype, label), to]])).toMatchObject({
          op: 'error',
          type: 'permission-denied',
        });
    } finally {
      s.close();
    }
    expect(await rows()).toEqual(before);
  });

  it('let a buyer remove an optional field of their own purchase, which the next fulfilment writes back', async () => {
    const [p] = (await as(owner).query({ purchases: {} })).purchases as any[];
    expect(p.email).toBe('owner@example.com');
    const s = await rawSession(shop.instant, { refreshToken: owner.token });
    try {
      const answer = await s.transact([['retract-triple', p.id, s.attr('purchases', 'email'), p.email]]);
      expect(answer.op).toBe('transact-ok');
    } finally {
      s.close();
    }
    expect((await as(owner).query({ purchases: {} })).purchases).toEqual([]); // seen by email: hidden from themself
    await fulfillCheckout(p.sessionId);
    const [back] = (await as(owner).query({ purchases: {} })).purchases as any[];
    expect(back).toMatchObject({ id: p.id, email: 'owner@example.com', status: p.status });
  });
});

describe('attributes', () => {
  it('refuses a browser client that tries to create a new attribute', async () => {
    // No schema on this client, so the SDK sends the new attribute to the server (add-attr).
    const db = clientFor(shop.instant);
    await db.auth.signInWithToken(owner.token);
    await nextResult(db, { wallpapers: {} }, (r) => Boolean(r.data));
    await expect(db.transact((db.tx as any).sneaky[id()].update({ anything: 1 }))).rejects.toMatchObject({
      message: expect.stringContaining('Permission denied'),
    });
    db.shutdown();
  });
});
