// ruleParams.tokens from the attacker's side and the buyer's. The rules check the list's type and
// size before anything else: over the cap it unlocks nothing, and a missing, non-list or
// non-string list hides the field without failing the query. The SPA's token handling
// (web/src/shop/purchase-tokens.ts, token-query.ts) keeps a buyer with more tokens than the cap,
// many of them dead, unlocked: dead ones are pruned, the rest split across queries.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RULE_TOKENS } from '../contracts/purchase-tokens.ts';
import { derivedId } from '../api/_lib/platform/derived-id.ts';
import { ABANDONED_AFTER_MS, parseSaved, prunableTokens, type SavedToken } from '../web/src/shop/purchase-tokens.ts';
import { subscribeWithTokens, type TokenQueryState } from '../web/src/shop/token-query.ts';
import schema from '../instant.schema.ts';
import { guestCheckout } from './support/shop.ts';
import { clientFor, nextResult } from './support/instant-clients.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';

let shop: ShopStack;
let paidWarm: string; // unlocks citrus, dune, ember
let wallpapers: { id: string; slug: string }[];

beforeAll(async () => {
  shop = await startShopStack();
  ({ token: paidWarm } = await guestCheckout(shop, 'wallpapers-warm', 'warm@example.com'));
  await shop.stripeLocal.whenDeliveriesIdle();
  wallpapers = (await shop.admin.query({ wallpapers: {} })).wallpapers;
});
afterAll(() => shop.close());

const fillers = (n: number) => Array.from({ length: n }, () => randomUUID());
const unlocked = (ws: any[]) =>
  ws
    .filter((w) => 'fullResUrl' in w)
    .map((w) => w.slug)
    .sort();

/** A guest's query over plain HTTP, as any script would send it. */
async function rawQuery(query: Record<string, unknown>, ruleParams?: unknown) {
  const res = await fetch(`${shop.instant.url}/admin/query?app_id=${shop.instant.appId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'app-id': shop.instant.appId, 'as-guest': 'true' },
    body: JSON.stringify({ query: ruleParams === undefined ? query : { $$ruleParams: ruleParams, ...query } }),
  });
  return { status: res.status, body: await res.json() };
}

describe('the cap', () => {
  it('unlocks nothing for a list over the cap, even one holding a paid token, and all at the cap', async () => {
    const q = { wallpapers: {}, purchases: {} };
    const over = await rawQuery(q, { tokens: [paidWarm, ...fillers(MAX_RULE_TOKENS)] });
    expect(over.status).toBe(200);
    expect(unlocked(over.body.wallpapers)).toEqual([]);
    expect(over.body.purchases).toEqual([]);
    // Wherever the paid token sits in the list.
    const last = await rawQuery(q, { tokens: [...fillers(MAX_RULE_TOKENS), paidWarm] });
    expect(unlocked(last.body.wallpapers)).toEqual([]);

    const at = await rawQuery(q, { tokens: [...fillers(MAX_RULE_TOKENS - 1), paidWarm] });
    expect(unlocked(at.body.wallpapers)).toEqual(['citrus', 'dune', 'ember']);
    expect(at.body.purchases.map((p: any) => p.token)).toEqual([paidWarm]);
  });

  it('refuses more tokens than the cap at /api/wallpapers/download with a 400 naming the limit', async () => {
    const res = await shop.post('/api/wallpapers/download', {
      tokens: [paidWarm, ...fillers(MAX_RULE_TOKENS)],
      wallpaperId: wallpapers[0].id,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(new RegExp(`at most ${MAX_RULE_TOKENS}`));
  });
});

describe('malformed tokens', () => {
  // Built when run: the paid token exists only once beforeAll has bought it.
  const malformed: [string, () => unknown][] = [
    ['no ruleParams', () => undefined],
    ['no tokens', () => ({})],
    ['null', () => ({ tokens: null })],
    ['a string', () => ({ tokens: paidWarm })],
    ['a number', () => ({ tokens: 42 })],
    ['a map', () => ({ tokens: { [paidWarm]: paidWarm } })],
    ['non-strings', () => ({ tokens: [paidWarm, 7] })],
    ['a nested list', () => ({ tokens: [[paidWarm]] })],
    ['null inside', () => ({ tokens: [null, paidWarm] })],
  ];

  for (const [what, make] of malformed) {
    it(`hide the field without an error: ${what}`, async () => {
      const ruleParams = make();
      const db = clientFor(shop.instant, schema);
      const live = await nextResult(
        db,
        { wallpapers: {} },
        (r) => Boolean(r.error || r.data),
        ruleParams === undefined ? undefined : ({ ruleParams } as any),
      );
      db.shutdown();
      expect(live.error).toBeUndefined();
      expect(unlocked((live.data as any).wallpapers)).toEqual([]);

      const raw = await rawQuery({ wallpapers: {}, purchases: {} }, ruleParams);
      expect(raw.status, JSON.stringify(raw.body)).toBe(200);
      expect(raw.body.wallpapers.length).toBeGreaterThanOrEqual(8);
      expect(unlocked(raw.body.wallpapers)).toEqual([]);
      expect(raw.body.purchases).toEqual([]);
    });
  }
});

describe('a buyer with more tokens than the cap', () => {
  it('still sees everything paid unlocked, and only dead tokens are pruned', async () => {
    // Paid purchases for more tokens than one query may carry: the first one alone unlocks the
    // wallpapers outside the warm pack, and the real paid warm token comes last, in another chunk.
    const others = wallpapers.filter((w) => !['citrus', 'dune', 'ember'].includes(w.slug)).map((w) => w.id);
    const paid = fillers(MAX_RULE_TOKENS + 5);
    await shop.admin.transact(
      paid.map((token, i) => {
        const sessionId = `cs_test_bulk_${token}`;
        return shop.admin.tx.purchases[derivedId('purchase', sessionId)]
          .update({
            sessionId,
            token,
            unlockToken: token,
            status: 'paid',
            productId: 'wallpapers-all',
            createdAt: Date.now() - i,
            updatedAt: Date.now(),
          })
          .link({ wallpapers: i === 0 ? others : [others[0]] });
      }),
    );
    const expired = (await Promise.all([1, 2].map(() => guestCheckout(shop, 'wallpapers-all')))).map((c) => c.token);
    for (const t of expired) {
      const { purchases } = await shop.admin.query({ purchases: { $: { where: { token: t } } } });
      await shop.local(`checkout_sessions/${purchases[0].sessionId}/expire`);
    }
    const pending = (await guestCheckout(shop, 'wallpapers-warm')).token;
    await shop.stripeLocal.whenDeliveriesIdle();
    const abandoned = fillers(30); // checkouts never made, saved long ago
    const fresh = randomUUID(); // saved a moment ago: its checkout may still be under way

    const now = Date.now();
    const old = now - ABANDONED_AFTER_MS - 1;
    const saved: SavedToken[] = [
      ...paid.map((token) => ({ token, savedAt: old })),
      ...abandoned.map((token) => ({ token, savedAt: old })),
      ...expired.map((token) => ({ token, savedAt: old })),
      { token: pending, savedAt: old },
      { token: fresh, savedAt: now },
      { token: paidWarm, savedAt: old },
    ];
    const tokens = saved.map((s) => s.token);
    expect(tokens.length).toBeGreaterThan(MAX_RULE_TOKENS);

    const db = shop.client();
    const sent: number[] = [];
    const shopQuery = {
      wallpapers: { $: { order: { order: 'asc' } }, purchases: { $: { fields: ['unlockToken'] } } },
      purchases: { $: { order: { createdAt: 'desc' } } },
    };
    const settle = (list: string[]) =>
      new Promise<TokenQueryState<any>>((resolve) => {
        const unsub = subscribeWithTokens(
          (q, cb, opts) => {
            sent.push(opts.ruleParams.tokens.length);
            return db.subscribeQuery(q, cb as any, opts);
          },
          shopQuery,
          list,
          (s) => {
            if (s.isLoading) return;
            queueMicrotask(unsub);
            resolve(s);
          },
        );
      });

    const all = await settle(tokens);
    expect(all.error).toBeUndefined();
    expect(Math.max(...sent)).toBeLessThanOrEqual(MAX_RULE_TOKENS);
    expect(sent.length).toBe(Math.ceil(tokens.length / MAX_RULE_TOKENS));
    expect(unlocked(all.data.wallpapers)).toEqual(wallpapers.map((w) => w.slug).sort());
    const byToken = new Map<string, string>(all.data.purchases.map((p: any) => [p.token, p.status]));
    expect([...paid, paidWarm].every((t) => byToken.get(t) === 'paid')).toBe(true);
    expect(expired.map((t) => byToken.get(t))).toEqual(['expired', 'expired']);
    expect(byToken.get(pending)).toBe('pending');
    // Ordered as the query asks, across chunks.
    const times = all.data.purchases.map((p: any) => new Date(p.createdAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const dead = prunableTokens(saved, all.data.purchases, now);
    expect([...dead].sort()).toEqual([...abandoned, ...expired].sort());

    // What is left is still more than one query may carry: still split, still everything unlocked.
    const kept = tokens.filter((t) => !dead.has(t));
    expect(kept.length).toBeGreaterThan(MAX_RULE_TOKENS);
    sent.length = 0;
    const after = await settle(kept);
    expect(sent.length).toBe(Math.ceil(kept.length / MAX_RULE_TOKENS));
    expect(unlocked(after.data.wallpapers)).toEqual(wallpapers.map((w) => w.slug).sort());
  });
});

describe('the stored token list', () => {
  it('reads the older plain list (dated now), drops junk and duplicates, and survives garbage', () => {
    const [a, b] = fillers(2);
    expect(parseSaved(JSON.stringify([a, a, 7, null, { token: b, savedAt: 5 }, { nope: 1 }]), 1000)).toEqual([
      { token: a, savedAt: 1000 },
      { token: b, savedAt: 5 },
    ]);
    expect(parseSaved('{not json', 1)).toEqual([]);
    expect(parseSaved('{"a":1}', 1)).toEqual([]);
    expect(parseSaved(null, 1)).toEqual([]);
  });

  it('keeps a token with any pending or paid purchase, even alongside an expired one', () => {
    const [t] = fillers(1);
    const prunable = (...statuses: string[]) =>
      prunableTokens(
        [{ token: t, savedAt: 0 }],
        statuses.map((status) => ({ token: t, status })),
        Date.now(),
      ).size;
    expect(prunable('expired', 'paid')).toBe(0);
    expect(prunable('expired', 'pending')).toBe(0);
    expect(prunable('expired', 'failed')).toBe(1);
  });
});
