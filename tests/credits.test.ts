// Credit packs for signed-in users, against the stand-ins through the real SDKs: sign-in, one
// Stripe customer, exactly-once grants under duplicates and races, a ledger that never loses an
// entry or goes negative, spends with their haikus, refunds and disputes, permissions.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextResult } from './support/instant-clients.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';
import { creditsQuery, heldBalance } from '../contracts/credits.ts';
import { balanceOf, expectConsistentLedger, ledgerOf } from './support/credits.ts';
import { bearer, creditsCheckout, signIn, type SignedIn } from './support/shop.ts';

let shop: ShopStack;

beforeAll(async () => {
  shop = await startShopStack();
});
afterAll(() => shop.close());

type User = SignedIn;

/** A credits checkout by `u`, not yet paid. */
const checkout = (u: User, packId = 'credits-small') => creditsCheckout(shop, u, packId, false);

/** Buys a pack end to end: checkout, pay on the hosted page, webhooks delivered. */
async function buy(u: User, packId = 'credits-small') {
  const sessionId = await checkout(u, packId);
  expect((await shop.pay(sessionId, { email: u.email, card: '4242424242424242' })).status).toBe(200);
  await shop.stripeLocal.whenDeliveriesIdle();
  return sessionId;
}

const generate = (u: User, topic = 'autumn') => shop.post('/api/generate', { topic }, bearer(u));

const ledger = (u: User) => ledgerOf(shop.admin, u.id);
const balance = (u: User) => balanceOf(shop.admin, u.id);
const expectConsistent = (u: User) => expectConsistentLedger(shop.admin, u.id);

async function paymentIntentOf(sessionId: string) {
  const s = await shop.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] });
  const pi = s.payment_intent as { id: string; latest_charge: string };
  return { pi: pi.id, charge: pi.latest_charge };
}

describe('buy, grant, spend', () => {
  it('signs in with a magic code, buys a pack, sees the balance and haikus live, spends to zero, then 402', async () => {
    const email = `Live.${randomUUID().slice(0, 6)}@Example.com`;
    const db = shop.client();
    await db.auth.sendMagicCode({ email });
    const mail = shop.mails.findLast((m) => m.to === email.toLowerCase());
    expect(mail?.code).toMatch(/^\d{6}$/);
    const { user } = await db.auth.signInWithMagicCode({ email: email.toLowerCase(), code: mail!.code });
    const u: User = { id: user.id, token: user.refresh_token, email: email.toLowerCase() };

    // What /credits subscribes to (web/src/credits/use-credits.ts): the balance and the history.
    const balanceQ = creditsQuery(u.id);
    const held = (r: { data?: any }) => (r.data ? heldBalance(r.data) : null);
    const zero = await nextResult(db, balanceQ, (r) => Boolean(r.data));
    expect(zero.data!.ledgerEntries).toEqual([]);
    expect(held(zero)).toBe(0);

    const sessionId = await checkout(u);
    const session = await shop.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] });
    expect(session.metadata).toMatchObject({ userId: u.id, productId: 'credits-small', type: 'credits-small' });
    expect((session.payment_intent as any)?.metadata ?? session.payment_intent).toBeDefined();
    expect(session.success_url).toBe(`${shop.api}/success?session_id={CHECKOUT_SESSION_ID}`);
    expect(session.cancel_url).toBe(`${shop.api}/credits`);
    const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId } }, owner: {} } });
    expect(purchases[0]).toMatchObject({ status: 'pending', productId: 'credits-small' });
    expect([(purchases[0] as any).owner].flat().map((o: any) => o.id)).toEqual([u.id]);

    const granted = nextResult(db, balanceQ, (r) => held(r) === 10);
    await shop.pay(sessionId, { email: u.email, card: '4242424242424242' });
    expect((await granted).data!.ledgerEntries[0]).toMatchObject({ amount: 10, ref: `grant:${sessionId}`, sessionId });
    await shop.stripeLocal.whenDeliveriesIdle();
    const paid = await shop.stripe.paymentIntents.retrieve((await paymentIntentOf(sessionId)).pi);
    expect(paid.metadata).toMatchObject({ userId: u.id, productId: 'credits-small' });

    const haikusQ = { haikus: { $: { order: { createdAt: 'desc' as const } } } };
    for (let i = 10; i > 0; i--) {
      const res = await generate(u, ` topic ${i} `);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.balance).toBe(i - 1);
      expect(body.haiku).toMatchObject({ topic: `topic ${i}` });
      expect(body.haiku.content.split('\n')).toHaveLength(3);
    }
    const listed = await nextResult(db, haikusQ, (r) => r.data?.haikus?.length === 10);
    expect(listed.data!.haikus[0].topic).toBe('topic 1');
    expect((await nextResult(db, balanceQ, (r) => held(r) === 0)).data!.ledgerEntries[0].amount).toBe(-1);

    const refused = await generate(u);
    expect(refused.status).toBe(402);
    expect(await refused.json()).toEqual({ error: 'You have no credits left. Buy a pack to keep writing haikus.' });
    const entries = await ledger(u);
    expect(entries).toHaveLength(11);
    await expectConsistent(u);
    const { haikus } = await shop.admin.query({ haikus: { $: { where: { 'author.id': u.id } } } });
    expect(haikus).toHaveLength(10);
  });

  it('gives exactly min(N, B) of N concurrent spends with balance B, never negative', async () => {
    const u = await signIn(shop);
    await buy(u);
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => generate(u, `race ${i}`)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(15);
    const entries = await ledger(u);
    expect(entries).toHaveLength(11);
    await expectConsistent(u);
    expect(entries.at(-1)!.balance).toBe(0);
    const { haikus } = await shop.admin.query({ haikus: { $: { where: { 'author.id': u.id } } } });
    expect(haikus).toHaveLength(10);
  });

  it('spends once for a request retried with the same requestId, even at the same time', async () => {
    const u = await signIn(shop);
    await buy(u);
    const requestId = randomUUID();
    const body = { topic: 'retried', requestId };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => shop.post('/api/generate', body, { authorization: `Bearer ${u.token}` })),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const haikus = await Promise.all(answers.map((r) => r.json()));
    expect(new Set(haikus.map((h) => h.haiku.id)).size).toBe(1);
    const entries = await ledger(u);
    expect(entries.filter((e) => e.ref.startsWith('use:'))).toHaveLength(1);
    expect(entries.at(-1)!.balance).toBe(9);
  });

  it('answers 410 with the current balance to a retry whose haiku the author deleted, spending nothing more', async () => {
    const u = await signIn(shop);
    await buy(u);
    const body = { topic: 'ephemeral', requestId: randomUUID() };
    const first = await shop.post('/api/generate', body, bearer(u));
    expect(first.status).toBe(200);
    const { haiku } = await first.json();
    expect((await generate(u, 'another')).status).toBe(200);
    const asU = shop.admin.asUser({ token: u.token });
    await asU.transact(asU.tx.haikus[haiku.id].delete());

    const retries = await Promise.all(Array.from({ length: 3 }, () => shop.post('/api/generate', body, bearer(u))));
    for (const r of retries) {
      expect(r.status).toBe(410);
      expect(await r.json()).toEqual({ error: expect.stringMatching(/deleted.*new requestId/), balance: 8 });
    }
    const entries = await ledger(u);
    expect(entries.filter((e) => e.ref.startsWith('use:'))).toHaveLength(2);
    expect(entries.at(-1)!.balance).toBe(8);
    expect((await shop.admin.query({ haikus: { $: { where: { id: haiku.id } } } })).haikus).toEqual([]);
  });

  it('loses nothing when grants and spends happen at once', async () => {
    const u = await signIn(shop);
    await buy(u);
    const sessions = await Promise.all([checkout(u), checkout(u, 'credits-large'), checkout(u)]);
    const answers = await Promise.all([
      ...sessions.map((s) => shop.pay(s, { email: u.email, card: '4242424242424242' })),
      ...Array.from({ length: 20 }, (_, i) => generate(u, `mixed ${i}`)),
    ]);
    await shop.stripeLocal.whenDeliveriesIdle();
    const spent = answers.slice(3).filter((r) => r.status === 200).length;
    expect(answers.slice(3).every((r) => r.status === 200 || r.status === 402)).toBe(true);
    const entries = await ledger(u);
    await expectConsistent(u);
    expect(entries.filter((e) => e.ref.startsWith('grant:'))).toHaveLength(4);
    expect(entries.filter((e) => e.ref.startsWith('use:'))).toHaveLength(spent);
    expect(entries.at(-1)!.balance).toBe(80 - spent);
    expect(spent).toBeGreaterThanOrEqual(10);
  });
});

describe('exactly-once grants', () => {
  it('grants once under ten concurrent duplicate webhooks plus confirm calls', async () => {
    const u = await signIn(shop);
    const sessionId = await checkout(u);
    await shop.local('webhooks/hold');
    await shop.pay(sessionId, { email: u.email, card: '4242424242424242' });
    const completed = (await shop.stripe.events.list({ type: 'checkout.session.completed', limit: 100 })).data.find(
      (e) => (e.data.object as any).id === sessionId,
    )!;
    await shop.local(`events/${completed.id}/resend`, { copies: 10 });
    const confirms = await Promise.all([
      shop.local('webhooks/release', { order: 'shuffle' }),
      ...Array.from({ length: 5 }, () => shop.post('/api/checkout/confirm', { sessionId })),
    ]);
    expect(confirms.slice(1).every((r) => r.status === 200)).toBe(true);
    await shop.stripeLocal.whenDeliveriesIdle();
    const deliveries = shop.stripeLocal.deliveries().filter((d) => d.event_id === completed.id);
    expect(deliveries.length).toBeGreaterThanOrEqual(11);
    expect(deliveries.every((d) => d.status === 'succeeded')).toBe(true);
    const entries = await ledger(u);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ ref: `grant:${sessionId}`, amount: 10, balance: 10 });
  });

  it('makes one Stripe customer for concurrent first checkouts and reuses it', async () => {
    const u = await signIn(shop);
    const sessionIds = await Promise.all(Array.from({ length: 5 }, () => checkout(u)));
    const sessions = await Promise.all(sessionIds.map((id) => shop.stripe.checkout.sessions.retrieve(id)));
    const customers = new Set(sessions.map((s) => s.customer));
    expect(customers.size).toBe(1);
    const [customer] = [...customers] as string[];
    expect(customer).toMatch(/^cus_/);
    expect((await shop.stripe.customers.list({ email: u.email })).data.map((c) => c.id)).toEqual([customer]);
    const { $users } = await shop.admin.query({ $users: { $: { where: { id: u.id } } } });
    expect($users[0].stripeCustomerId).toBe(customer);
    const later = await shop.stripe.checkout.sessions.retrieve(await checkout(u, 'credits-large'));
    expect(later.customer).toBe(customer);
  });

  it('converges when the refund event arrives before the payment event', async () => {
    const u = await signIn(shop);
    const sessionId = await checkout(u);
    await shop.local('webhooks/hold');
    await shop.pay(sessionId, { email: u.email, card: '4242424242424242' });
    await shop.stripe.refunds.create({ payment_intent: (await paymentIntentOf(sessionId)).pi });
    await shop.local('webhooks/release', { order: 'reverse' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const entries = await ledger(u);
    await expectConsistent(u);
    expect(entries.map((e) => [e.ref.split(':')[0], e.amount])).toEqual([
      ['grant', 10],
      ['clawback', -10],
    ]);
  });

  it('grants a 100%-off promotion code checkout at zero cost', async () => {
    process.env.ALLOW_PROMOTION_CODES = 'true';
    try {
      const coupon = await shop.stripe.coupons.create({ percent_off: 100, duration: 'once' });
      const code = `FREE${randomUUID().slice(0, 6).toUpperCase()}`;
      await shop.stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id }, code } as any);
      const u = await signIn(shop);
      const sessionId = await checkout(u);
      expect((await shop.stripe.checkout.sessions.retrieve(sessionId)).allow_promotion_codes).toBe(true);
      expect(
        (await shop.pay(sessionId, { email: u.email, card: '4242424242424242', promotion_code: code })).status,
      ).toBe(200);
      await shop.stripeLocal.whenDeliveriesIdle();
      const session = await shop.stripe.checkout.sessions.retrieve(sessionId);
      expect(session).toMatchObject({ amount_total: 0, payment_status: 'no_payment_required' });
      expect(await ledger(u)).toMatchObject([{ ref: `grant:${sessionId}`, amount: 10, balance: 10 }]);
      const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId } } } });
      expect(purchases[0]).toMatchObject({ status: 'paid', amount: 0 });
    } finally {
      delete process.env.ALLOW_PROMOTION_CODES;
    }
    const u = await signIn(shop);
    expect((await shop.stripe.checkout.sessions.retrieve(await checkout(u))).allow_promotion_codes).not.toBe(true);
  });
});

describe('refunds and disputes', () => {
  it('claws back a full refund, never below zero, recording the shortfall', async () => {
    const u = await signIn(shop);
    const sessionId = await buy(u);
    for (let i = 0; i < 3; i++) expect((await generate(u)).status).toBe(200);
    const refund = await shop.stripe.refunds.create({ payment_intent: (await paymentIntentOf(sessionId)).pi });
    await shop.stripeLocal.whenDeliveriesIdle();
    let entries = await ledger(u);
    await expectConsistent(u);
    expect(entries.at(-1)).toMatchObject({
      ref: `clawback:${refund.id}`,
      amount: -7,
      balance: 0,
      shortfall: 3,
      sessionId,
    });
    expect(entries.at(-1)!.reason).toMatch(/3 already spent/);
    expect((await generate(u)).status).toBe(402);

    // Duplicate deliveries of the refund change nothing.
    const refunded = (await shop.stripe.events.list({ type: 'charge.refunded', limit: 100 })).data.find(
      (e) => (e.data.object as any).payment_intent === refund.payment_intent,
    )!;
    await shop.local(`events/${refunded.id}/resend`, { copies: 5 });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await ledger(u)).toHaveLength(entries.length);

    // The refund fails: what was taken comes back.
    await shop.local(`refunds/${refund.id}/fail`);
    await shop.stripeLocal.whenDeliveriesIdle();
    entries = await ledger(u);
    await expectConsistent(u);
    expect(entries.at(-1)).toMatchObject({ ref: `refund-failed:${refund.id}`, amount: 7, balance: 7 });
  });

  it('claws back partial refunds proportionally (rounded down) and the rest on the final refund', async () => {
    const u = await signIn(shop);
    const sessionId = await buy(u, 'credits-large'); // 50 credits for $20.00
    const { pi } = await paymentIntentOf(sessionId);
    await shop.stripe.refunds.create({ payment_intent: pi, amount: 500 });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await balance(u)).toBe(50 - 12); // floor(50 * 500 / 2000)
    await shop.stripe.refunds.create({ payment_intent: pi, amount: 130 });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await balance(u)).toBe(50 - 15); // floor(50 * 630 / 2000)
    await shop.stripe.refunds.create({ payment_intent: pi });
    await shop.stripeLocal.whenDeliveriesIdle();
    const entries = await ledger(u);
    await expectConsistent(u);
    expect(entries.map((e) => e.amount)).toEqual([50, -12, -3, -35]);
  });

  it('claws back on a dispute and gives the credits back when it is won; a lost one keeps them', async () => {
    const u = await signIn(shop);
    const sessionId = await buy(u);
    const { charge } = await paymentIntentOf(sessionId);
    const dispute = await (await shop.local(`charges/${charge}/dispute`)).json();
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await ledger(u)).at(-1)).toMatchObject({ ref: `dispute:${dispute.id}`, amount: -10, balance: 0 });
    expect((await generate(u)).status).toBe(402);
    await shop.local(`disputes/${dispute.id}/close`, { status: 'won' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const entries = await ledger(u);
    await expectConsistent(u);
    expect(entries.at(-1)).toMatchObject({ ref: `dispute-won:${dispute.id}`, amount: 10, balance: 10 });

    const v = await signIn(shop);
    const lostCharge = (await paymentIntentOf(await buy(v))).charge;
    const lost = await (await shop.local(`charges/${lostCharge}/dispute`)).json();
    await shop.local(`disputes/${lost.id}/close`, { status: 'lost' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await ledger(v)).map((e) => e.amount)).toEqual([10, -10]);
  });
});

describe('permissions', () => {
  it('lets no client write credits, ledger entries, its Stripe customer id or haikus', async () => {
    const u = await signIn(shop);
    await buy(u);
    expect((await generate(u)).status).toBe(200);
    const asU = shop.admin.asUser({ token: u.token });
    const [entry] = (await asU.query({ ledgerEntries: {} })).ledgerEntries as any[];
    const [haiku] = (await asU.query({ haikus: {} })).haikus as any[];
    expect(entry).toBeDefined();
    expect(haiku).toBeDefined();
    const attempts = {
      credits: asU.tx.$users[u.id].update({ credits: 1000 } as any),
      customer: asU.tx.$users[u.id].update({ stripeCustomerId: 'cus_mine' }),
      newEntry: asU.tx.ledgerEntries[randomUUID()].create({
        slot: `${u.id}:99`,
        ref: 'gift',
        userId: u.id,
        seq: 99,
        amount: 1000,
        balance: 1000,
        reason: 'gift',
        createdAt: Date.now(),
      }),
      editEntry: asU.tx.ledgerEntries[entry.id].update({ balance: 1000 }),
      deleteEntry: asU.tx.ledgerEntries[entry.id].delete(),
      newHaiku: asU.tx.haikus[randomUUID()].create({ topic: 'free', content: 'free', createdAt: Date.now() }),
      editHaiku: asU.tx.haikus[haiku.id].update({ content: 'changed' }),
    };
    for (const [name, step] of Object.entries(attempts)) {
      await expect(asU.transact(step as any), name).rejects.toMatchObject({
        body: { type: expect.stringMatching(/permission|validation/) },
      });
    }
    expect(await balance(u)).toBe(9);
    const { $users } = await shop.admin.query({ $users: { $: { where: { id: u.id } } } });
    expect($users[0].stripeCustomerId).toMatch(/^cus_/);
    expect(await ledger(u)).toHaveLength(2);
  });

  it("hides one user's ledger and haikus from another, and lets only the author delete a haiku", async () => {
    const owner = await signIn(shop);
    await buy(owner);
    expect((await generate(owner, 'secret')).status).toBe(200);
    const stranger = await signIn(shop);
    const asOwner = shop.admin.asUser({ token: owner.token });
    const asStranger = shop.admin.asUser({ token: stranger.token });
    const mine = await asOwner.query({ ledgerEntries: {}, haikus: {}, $users: {} });
    expect(mine.ledgerEntries).toHaveLength(2);
    expect(mine.haikus).toHaveLength(1);
    const theirs = await asStranger.query({
      ledgerEntries: { $: { where: { userId: owner.id } } },
      haikus: {},
      $users: { $: { where: { id: owner.id } } },
    });
    expect(theirs).toMatchObject({ ledgerEntries: [], haikus: [], $users: [] });
    const guest = await shop.admin.asUser({ guest: true }).query({ ledgerEntries: {}, haikus: {} });
    expect(guest).toMatchObject({ ledgerEntries: [], haikus: [] });

    const haikuId = mine.haikus[0].id;
    await expect(asStranger.transact(asStranger.tx.haikus[haikuId].delete())).rejects.toMatchObject({
      body: { type: 'permission-denied' },
    });
    expect((await shop.admin.query({ haikus: { $: { where: { id: haikuId } } } })).haikus).toHaveLength(1);
    await asOwner.transact(asOwner.tx.haikus[haikuId].delete());
    expect((await shop.admin.query({ haikus: { $: { where: { id: haikuId } } } })).haikus).toHaveLength(0);
  });

  it("shows a user's credit lots and claims to that user only, and lets no client make, change or free one", async () => {
    const owner = await signIn(shop);
    await buy(owner);
    expect((await generate(owner)).status).toBe(200);
    const asOwner = shop.admin.asUser({ token: owner.token });
    const mine = await asOwner.query({ creditLots: { claims: {} }, creditClaims: {} });
    expect(mine.creditLots.map((l) => [l.size, l.claims.length])).toEqual([[10, 1]]);
    const [lot] = mine.creditLots;
    const [claimed] = mine.creditClaims;

    const stranger = await signIn(shop);
    for (const as of [shop.admin.asUser({ token: stranger.token }), shop.admin.asUser({ guest: true })]) {
      expect(await as.query({ creditLots: {}, creditClaims: {} })).toEqual({ creditLots: [], creditClaims: [] });
    }
    // Over the WebSocket too: a stranger subscribed to the owner's /credits query sees nothing.
    const db = shop.client();
    await db.auth.signInWithToken(stranger.token);
    const seen = await nextResult(db, creditsQuery(owner.id), (r) => Boolean(r.data || r.error));
    expect(seen.data).toMatchObject({ creditLots: [], ledgerEntries: [] });

    const attempts = {
      newLot: asOwner.tx.creditLots[randomUUID()].create({
        ref: 'gift',
        userId: owner.id,
        size: 1000,
        open: true,
        createdAt: Date.now(),
      }),
      growLot: asOwner.tx.creditLots[lot.id].update({ size: 1000 }),
      freeUnit: asOwner.tx.creditClaims[claimed.id].delete(),
      unlinkClaim: asOwner.tx.creditClaims[claimed.id].unlink({ lot: lot.id }),
      newClaim: asOwner.tx.creditClaims[randomUUID()].create({
        unit: `${lot.id}:99`,
        userId: owner.id,
        by: 'forged',
        createdAt: Date.now(),
      }),
    };
    for (const [name, step] of Object.entries(attempts)) {
      await expect(asOwner.transact(step), name).rejects.toMatchObject({
        body: { type: expect.stringMatching(/permission|validation/) },
      });
    }
    expect(await balance(owner)).toBe(9);
    await expectConsistent(owner);
  });
});

describe('bad requests', () => {
  const endpoints = [
    { path: '/api/credits/checkout', good: { packId: 'credits-small' } },
    { path: '/api/generate', good: { topic: 'spring' } },
  ];

  it.each(endpoints)(
    '$path refuses missing, malformed, unknown and signed-out tokens with 401',
    async ({ path, good }) => {
      const signedOut = await signIn(shop);
      await shop.admin.auth.signOut({ refresh_token: signedOut.token } as any);
      const headers: (Record<string, string> | undefined)[] = [
        undefined,
        { authorization: '' },
        { authorization: 'Bearer' },
        { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
        { authorization: 'Bearer two tokens' },
        { authorization: `Bearer ${randomUUID()}` },
        { authorization: `Bearer ${'x'.repeat(600)}` },
        bearer(signedOut),
      ];
      for (const h of headers) {
        const res = await shop.post(path, good, h);
        expect(res.status, JSON.stringify(h)).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect((await res.json()).error).toMatch(/sign/i);
      }
    },
  );

  it.each(endpoints)('$path refuses bad bodies with 400 and oversized ones with 413', async ({ path }) => {
    const u = await signIn(shop);
    const bad =
      path === '/api/generate'
        ? [{}, { topic: '' }, { topic: '   ' }, { topic: 'x'.repeat(81) }, { topic: 42 }]
        : [{}, { packId: '' }, { packId: 'no-such-pack' }, { packId: 'wallpapers-all' }, { packId: 7 }];
    for (const body of [...bad, 'not json', '[]']) {
      const res = await shop.post(path, body, bearer(u));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof (await res.json()).error).toBe('string');
    }
    const huge = await shop.post(path, { topic: 'x'.repeat(5000), packId: 'x'.repeat(5000) }, bearer(u));
    expect(huge.status).toBe(413);
    expect(await ledger(u)).toEqual([]);
  });

  it('accepts an 80-character topic and trims it', async () => {
    const u = await signIn(shop);
    await buy(u);
    const res = await generate(u, `  ${'y'.repeat(80)}  `);
    expect(res.status).toBe(200);
    expect((await res.json()).haiku.topic).toBe('y'.repeat(80));
  });

  it('refuses credit packs on the guest checkout', async () => {
    const res = await shop.post('/api/checkout', { token: randomUUID(), productId: 'credits-small' });
    expect(res.status).toBe(400);
  });

  it('rate-limits /api/generate per user', async () => {
    const u = await signIn(shop);
    const other = await signIn(shop);
    const answers = await Promise.all(Array.from({ length: 31 }, () => generate(u)));
    expect(answers.filter((r) => r.status === 402)).toHaveLength(30);
    const limited = answers.filter((r) => r.status === 429);
    expect(limited).toHaveLength(1);
    expect(limited[0].headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await generate(other)).status).toBe(402);
  });
});
