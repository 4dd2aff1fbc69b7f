import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeKey } from '../../tests/support/fake-keys.ts';
import { MAX_BODY_BYTES } from './http-io.ts';
import { startStripeLocal, type StripeLocal } from './server.ts';
import { sdkFor, sessionParams } from './test-support.ts';

let local: StripeLocal;
let stripe: Stripe;

beforeAll(async () => {
  local = await startStripeLocal();
  stripe = sdkFor(local);
});
afterAll(() => local.close());
beforeEach(() => local.reset());

async function rawRequest(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${local.url}${path}`, init);
}

describe('wire format', () => {
  it('rejects a missing key, a live key and a publishable key with 401 in Stripe shape', async () => {
    const missing = await rawRequest('/v1/customers');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('request-id')).toMatch(/^req_/);
    const body = (await missing.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/did not provide an API key/);

    const live = new Stripe(fakeKey('sk_live', 'x1234'), {
      host: '127.0.0.1',
      port: Number(new URL(local.url).port),
      protocol: 'http',
    });
    const err = await live.customers.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((err as Stripe.errors.StripeError).message).toMatch(/sk_live_.*1234.*test-mode keys/);

    const pk = await rawRequest('/v1/customers', { headers: { authorization: 'Bearer pk_test_123' } });
    expect(pk.status).toBe(401);
  });

  it('accepts any sk_test_ key, and Basic auth as curl -u sends it', async () => {
    const other = new Stripe('sk_test_someone_else', {
      host: '127.0.0.1',
      port: Number(new URL(local.url).port),
      protocol: 'http',
    });
    expect((await other.customers.create({ email: 'a@b.co' })).id).toMatch(/^cus_/);
    const basic = await rawRequest('/v1/customers', {
      headers: { authorization: `Basic ${Buffer.from('sk_test_x:').toString('base64')}` },
    });
    expect(basic.status).toBe(200);
  });

  it('answers resource_missing for unknown ids, and names the param', async () => {
    const err = (await stripe.customers.retrieve('cus_nope').catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.code).toBe('resource_missing');
    expect(err.statusCode).toBe(404);
    expect(err.message).toBe("No such customer: 'cus_nope'");
    expect(err.requestId).toMatch(/^req_/);

    const bad = (await stripe.checkout.sessions
      .create({
        mode: 'payment',
        line_items: [{ price: 'price_missing', quantity: 1 }],
        success_url: 'https://x.test/s',
      })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(bad.code).toBe('resource_missing');
    expect(bad.param).toBe('line_items[0][price]');
  });

  it('reports missing and unknown params like Stripe', async () => {
    const missing = (await stripe.products
      .create({} as Stripe.ProductCreateParams)
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(missing.code).toBe('parameter_missing');
    expect(missing.param).toBe('name');
    const unknown = (await stripe.customers
      .create({ email: 'a@b.co', favourite_colour: 'red' } as Stripe.CustomerCreateParams)
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(unknown.code).toBe('parameter_unknown');
    expect(unknown.param).toBe('favourite_colour');
    const route = await rawRequest('/v1/nothing_here', { headers: { authorization: `Bearer ${local.secretKey}` } });
    expect(route.status).toBe(404);
  });

  it('replays the first answer for a repeated Idempotency-Key and rejects other params', async () => {
    const first = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'key-1' });
    const again = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'key-1' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.customers.list({ email: 'idem@example.com' })).data).toHaveLength(1);

    const err = (await stripe.customers
      .create({ email: 'other@example.com' }, { idempotencyKey: 'key-1' })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.type).toBe('StripeIdempotencyError');
    expect(err.message).toMatch(/same parameters/);
  });

  it.each([
    ['the API', async () => '/v1/customers', 'application/x-www-form-urlencoded'],
    ['a test control', async () => '/_local/webhooks/hold', 'application/json'],
    [
      'the hosted page',
      async () => `/c/pay/${(await stripe.checkout.sessions.create(sessionParams())).id}`,
      'application/x-www-form-urlencoded',
    ],
  ])('answers a body past the limit on %s with 413 in Stripe shape, and goes on answering', async (_, at, type) => {
    const path = await at();
    const headers = { authorization: `Bearer ${local.secretKey}`, 'content-type': type, 'idempotency-key': 'big-1' };
    const big = await rawRequest(path, { method: 'POST', headers, body: 'email=' + 'x'.repeat(MAX_BODY_BYTES) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: { type: 'invalid_request_error', message: expect.stringContaining(`larger than ${MAX_BODY_BYTES} bytes`) },
    });
    // Refused before it ran: the key is not spent on it.
    const customer = await stripe.customers.create({ email: 'small@example.com' }, { idempotencyKey: 'big-1' });
    expect(customer.email).toBe('small@example.com');
  });
});

describe('customers, products and prices', () => {
  it('creates, retrieves, updates, lists by email and deletes customers', async () => {
    const c = await stripe.customers.create({ email: 'Ann@Example.com', name: 'Ann', metadata: { tier: 'gold' } });
    expect(c).toMatchObject({
      object: 'customer',
      livemode: false,
      email: 'Ann@Example.com',
      metadata: { tier: 'gold' },
    });
    expect(c.id).toMatch(/^cus_/);
    expect(Number.isInteger(c.created)).toBe(true);
    await stripe.customers.create({ email: 'bob@example.com' });
    const updated = await stripe.customers.update(c.id, { name: 'Ann B', metadata: { tier: '', note: 'x' } });
    expect(updated.name).toBe('Ann B');
    expect(updated.metadata).toEqual({ note: 'x' });
    const byEmail = await stripe.customers.list({ email: 'Ann@Example.com' });
    expect(byEmail.data.map((x) => x.id)).toEqual([c.id]);
    expect(byEmail.url).toBe('/v1/customers');
    const deleted = await stripe.customers.del(c.id);
    expect(deleted).toMatchObject({ id: c.id, deleted: true });
  });

  it('creates products and prices with metadata and finds prices by lookup_keys', async () => {
    const product = await stripe.products.create({ name: 'Ebook', metadata: { sku: 'EB-1' } });
    expect(product.id).toMatch(/^prod_/);
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'EUR',
      unit_amount: 1500,
      lookup_key: 'ebook_eur',
      metadata: { a: '1' },
    });
    expect(price).toMatchObject({
      object: 'price',
      currency: 'eur',
      unit_amount: 1500,
      lookup_key: 'ebook_eur',
      type: 'one_time',
      product: product.id,
    });
    await stripe.prices.create({
      product_data: { name: 'Other' },
      currency: 'usd',
      unit_amount: 100,
      lookup_key: 'other',
    });
    const found = await stripe.prices.list({ lookup_keys: ['ebook_eur'], expand: ['data.product'] });
    expect(found.data).toHaveLength(1);
    expect((found.data[0].product as Stripe.Product).name).toBe('Ebook');

    const dup = (await stripe.prices
      .create({ product: product.id, currency: 'eur', unit_amount: 1, lookup_key: 'ebook_eur' })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(dup.param).toBe('lookup_key');
    const moved = await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 1200,
      lookup_key: 'ebook_eur',
      transfer_lookup_key: true,
    });
    expect((await stripe.prices.retrieve(price.id)).lookup_key).toBeNull();
    expect((await stripe.prices.list({ lookup_keys: ['ebook_eur'] })).data.map((p) => p.id)).toEqual([moved.id]);
  });

  it('pages lists with starting_after and ending_before, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stripe.products.create({ name: `P${i}` })).id);
    const newestFirst = [...ids].reverse();
    const page1 = await stripe.products.list({ limit: 2 });
    expect(page1.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));
    expect(page1.has_more).toBe(true);
    const page2 = await stripe.products.list({ limit: 2, starting_after: page1.data[1].id });
    expect(page2.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));
    const page3 = await stripe.products.list({ limit: 2, starting_after: page2.data[1].id });
    expect(page3.data.map((p) => p.id)).toEqual(newestFirst.slice(4));
    expect(page3.has_more).toBe(false);
    const back = await stripe.products.list({ limit: 2, ending_before: page3.data[0].id });
    expect(back.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));
    const all: string[] = [];
    for await (const p of stripe.products.list({ limit: 2 })) all.push(p.id);
    expect(all).toEqual(newestFirst);
  });
});

describe('checkout sessions', () => {
  it('creates with price and price_data, computes amounts and lists line items', async () => {
    const price = await stripe.prices.create({ product_data: { name: 'Mug' }, currency: 'usd', unit_amount: 1200 });
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        line_items: [
          { price: price.id, quantity: 2 },
          {
            price_data: {
              currency: 'usd',
              unit_amount: 500,
              product_data: { name: 'Sticker', metadata: { kind: 'sticker' } },
            },
            quantity: 1,
          },
        ],
        metadata: { order: 'o_1' },
        client_reference_id: 'user_42',
        customer_email: 'buyer@example.com',
        payment_intent_data: { metadata: { order: 'o_1' } },
      }),
    );
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      amount_subtotal: 2900,
      amount_total: 2900,
      currency: 'usd',
      metadata: { order: 'o_1' },
      client_reference_id: 'user_42',
      customer_email: 'buyer@example.com',
      payment_intent: null,
      livemode: false,
    });
    expect(session.url).toBe(`${local.url}/c/pay/${session.id}`);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data.map((li) => [li.description, li.quantity, li.amount_total])).toEqual([
      ['Mug', 2, 2400],
      ['Sticker', 1, 500],
    ]);
    const expanded = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['line_items', 'line_items.data.price.product'],
    });
    expect(expanded.line_items?.data).toHaveLength(2);
    expect((expanded.line_items!.data[1].price!.product as Stripe.Product).metadata).toEqual({ kind: 'sticker' });
  });

  it('validates exclusive params', async () => {
    const c = await stripe.customers.create({ email: 'c@example.com' });
    const err = (await stripe.checkout.sessions
      .create(sessionParams({ customer: c.id, customer_email: 'c@example.com' }))
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err.param).toBe('customer_email');
    const noItems = (await stripe.checkout.sessions
      .create({ mode: 'payment', success_url: 'https://x.test' })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(noItems.code).toBe('parameter_missing');
  });

  it('updates metadata, expires, and lists by status, customer and created range', async () => {
    const customer = await stripe.customers.create({ email: 'l@example.com' });
    const a = await stripe.checkout.sessions.create(
      sessionParams({ customer: customer.id, metadata: { keep: '1', drop: '2' } }),
    );
    const b = await stripe.checkout.sessions.create(sessionParams());
    const updated = await stripe.checkout.sessions.update(a.id, { metadata: { drop: '', add: '3' } });
    expect(updated.metadata).toEqual({ keep: '1', add: '3' });

    const expired = await stripe.checkout.sessions.expire(b.id);
    expect(expired.status).toBe('expired');
    const again = (await stripe.checkout.sessions.expire(b.id).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(again.statusCode).toBe(400);

    expect((await stripe.checkout.sessions.list({ status: 'expired' })).data.map((s) => s.id)).toEqual([b.id]);
    expect((await stripe.checkout.sessions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([a.id]);
    const now = Math.floor(Date.now() / 1000);
    expect((await stripe.checkout.sessions.list({ created: { gte: now - 60 } })).data).toHaveLength(2);
    expect((await stripe.checkout.sessions.list({ created: { gt: now + 60 } })).data).toHaveLength(0);
    const page = await stripe.checkout.sessions.list({ limit: 1 });
    expect(page.data[0].id).toBe(b.id);
    expect((await stripe.checkout.sessions.list({ limit: 1, starting_after: b.id })).data[0].id).toBe(a.id);
  });

  it('expands customer and payment_intent after payment and lists by payment_intent', async () => {
    const customer = await stripe.customers.create({ email: 'exp@example.com' });
    const s = await stripe.checkout.sessions.create(sessionParams({ customer: customer.id }));
    const res = await fetch(`${local.url}/_local/checkout_sessions/${s.id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ card: '4242 4242 4242 4242' }),
    });
    expect(res.status).toBe(200);
    const paid = await stripe.checkout.sessions.retrieve(s.id, {
      expand: ['customer', 'payment_intent.latest_charge'],
    });
    expect((paid.customer as Stripe.Customer).email).toBe('exp@example.com');
    const pi = paid.payment_intent as Stripe.PaymentIntent;
    expect(pi.status).toBe('succeeded');
    expect((pi.latest_charge as Stripe.Charge).paid).toBe(true);
    expect((await stripe.checkout.sessions.list({ payment_intent: pi.id })).data.map((x) => x.id)).toEqual([s.id]);
    const bad = (await stripe.checkout.sessions
      .retrieve(s.id, { expand: ['nonsense'] })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(bad.param).toBe('expand');
  });
});

describe('coupons, promotion codes, payment links, webhook endpoints and events', () => {
  it('makes a free checkout with a 100%-off promotion code', async () => {
    const coupon = await stripe.coupons.create({ percent_off: 100, duration: 'once' });
    const promo = await stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'FREE100',
    });
    expect(promo).toMatchObject({ object: 'promotion_code', code: 'FREE100', active: true });
    const viaDiscount = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ promotion_code: promo.id }] }),
    );
    expect(viaDiscount.amount_total).toBe(0);
    expect(viaDiscount.total_details?.amount_discount).toBe(2000);

    const s = await stripe.checkout.sessions.create(sessionParams({ allow_promotion_codes: true }));
    const res = await fetch(`${local.url}/_local/checkout_sessions/${s.id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'free@example.com', promotion_code: 'free100' }),
    });
    expect(res.status).toBe(200);
    const done = await stripe.checkout.sessions.retrieve(s.id);
    expect(done).toMatchObject({
      status: 'complete',
      payment_status: 'no_payment_required',
      amount_total: 0,
      payment_intent: null,
    });
    expect((await stripe.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(1);
    expect((await stripe.promotionCodes.list({ code: 'FREE100' })).data).toHaveLength(1);
  });

  it('creates payment links whose page opens a session with client_reference_id and prefilled_email', async () => {
    const price = await stripe.prices.create({ product_data: { name: 'Zine' }, currency: 'usd', unit_amount: 800 });
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      after_completion: { type: 'redirect', redirect: { url: 'https://shop.test/thanks?cs={CHECKOUT_SESSION_ID}' } },
      metadata: { campaign: 'spring' },
    });
    expect(link.id).toMatch(/^plink_/);
    expect((await stripe.paymentLinks.retrieve(link.id)).metadata).toEqual({ campaign: 'spring' });
    const open = await fetch(
      `${link.url}?client_reference_id=user_7&prefilled_email=${encodeURIComponent('zine@example.com')}`,
      { redirect: 'manual' },
    );
    expect(open.status).toBe(303);
    const pageUrl = open.headers.get('location')!;
    const sessionId = /\/c\/pay\/(cs_test_\w+)/.exec(pageUrl)![1];
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    expect(session).toMatchObject({ payment_link: link.id, client_reference_id: 'user_7', amount_total: 800 });
    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain('value="zine@example.com"');

    const paid = await fetch(pageUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'zine@example.com', card: '4242424242424242', method: 'card' }),
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`https://shop.test/thanks?cs=${sessionId}`);
    expect((await stripe.checkout.sessions.list({ payment_link: link.id })).data.map((s) => s.id)).toEqual([sessionId]);
  });

  it('creates (with a whsec_ secret), lists, updates and deletes webhook endpoints', async () => {
    const we = await stripe.webhookEndpoints.create({
      url: 'https://shop.test/api/stripe/webhook',
      enabled_events: ['checkout.session.completed'],
    });
    expect(we.id).toMatch(/^we_/);
    expect(we.secret).toMatch(/^whsec_/);
    expect((await stripe.webhookEndpoints.retrieve(we.id)).secret).toBeUndefined();
    const updated = await stripe.webhookEndpoints.update(we.id, {
      enabled_events: ['charge.refunded'],
      disabled: true,
    });
    expect(updated).toMatchObject({ enabled_events: ['charge.refunded'], status: 'disabled' });
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([we.id]);
    expect(await stripe.webhookEndpoints.del(we.id)).toMatchObject({ id: we.id, deleted: true });
    expect((await stripe.webhookEndpoints.list()).data).toHaveLength(0);
  });

  it('retrieves events and lists them by type, created range, with paging', async () => {
    await stripe.customers.create({ email: 'e1@example.com' });
    const c2 = await stripe.customers.create({ email: 'e2@example.com' });
    await stripe.customers.update(c2.id, { name: 'Two' });
    await stripe.products.create({ name: 'X' });
    const created = await stripe.events.list({ type: 'customer.created' });
    expect(created.data.map((e) => (e.data.object as Stripe.Customer).email)).toEqual([
      'e2@example.com',
      'e1@example.com',
    ]);
    const wildcard = await stripe.events.list({ type: 'customer.*' });
    expect(wildcard.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created', 'customer.created']);
    const upd = wildcard.data[0];
    expect(upd.data.previous_attributes).toEqual({ name: null });
    expect(upd.request?.id).toMatch(/^req_/);
    const one = await stripe.events.retrieve(upd.id);
    expect(one).toMatchObject({
      id: upd.id,
      object: 'event',
      api_version: Stripe.API_VERSION,
      livemode: false,
      pending_webhooks: 0,
    });
    const now = Math.floor(Date.now() / 1000);
    expect((await stripe.events.list({ created: { lt: now - 3600 } })).data).toHaveLength(0);
    const page = await stripe.events.list({ limit: 2 });
    expect(page.has_more).toBe(true);
    const next = await stripe.events.list({ limit: 2, starting_after: page.data[1].id });
    expect(next.data.map((e) => e.type)).toEqual(['customer.created', 'customer.created']);
  });
});

// The routes every resource shares (resource-routes.ts): an update copies its params, merges
// metadata and announces what changed; a list filters by plain fields and by the resource's own
// tests; a delete refuses what is still in use.
const eventsOf = async (type: string, id: string) =>
  (await stripe.events.list({ type, limit: 100 })).data.filter((e) => (e.data.object as { id: string }).id === id);

describe('shared resource routes', () => {
  it('update copies params and merges metadata, announcing the previous values once', async () => {
    const c = await stripe.customers.create({ email: 'a@example.com', metadata: { keep: '1', drop: '2' } });
    const updated = await stripe.customers.update(c.id, { name: 'Ada', metadata: { drop: '', add: '3' } });
    expect(updated).toMatchObject({ name: 'Ada', email: 'a@example.com', metadata: { keep: '1', add: '3' } });
    const [event] = await eventsOf('customer.updated', c.id);
    expect(event.data.previous_attributes).toEqual({ name: null, metadata: { keep: '1', drop: '2' } });
    // Nothing changes: no event.
    await stripe.customers.update(c.id, { name: 'Ada' });
    expect(await eventsOf('customer.updated', c.id)).toHaveLength(1);
    await expect(stripe.customers.update(c.id, { nope: 1 } as never)).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.customers.update('cus_missing', { name: 'x' })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('update derives what is not copied: a disabled endpoint, announced by no event', async () => {
    const we = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:1/hook', enabled_events: ['*'] });
    expect((await stripe.webhookEndpoints.update(we.id, { disabled: true })).status).toBe('disabled');
    expect(await eventsOf('webhook_endpoint.updated', we.id)).toEqual([]);
  });

  it('list filters by same-named fields and by the resource’s own tests', async () => {
    const product = await stripe.products.create({ name: 'Filtered' });
    const a = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100, lookup_key: 'k-a' });
    const b = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 200 });
    const ids = async (p: Stripe.PriceListParams) => (await stripe.prices.list(p)).data.map((x) => x.id);
    expect(await ids({ product: product.id })).toEqual([b.id, a.id]);
    expect(await ids({ product: product.id, currency: 'eur' })).toEqual([b.id]);
    expect(await ids({ lookup_keys: ['k-a'] })).toEqual([a.id]);
    expect((await stripe.products.list({ ids: [product.id] })).data.map((x) => x.id)).toEqual([product.id]);
    await expect(stripe.prices.list({ nope: 1 } as never)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('delete refuses what is in use, and answers the deleted stub otherwise', async () => {
    const product = await stripe.products.create({ name: 'In use' });
    await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100 });
    await expect(stripe.products.del(product.id)).rejects.toMatchObject({ statusCode: 400 });
    const coupon = await stripe.coupons.create({ percent_off: 10 });
    expect(await stripe.coupons.del(coupon.id)).toMatchObject({ id: coupon.id, object: 'coupon', deleted: true });
    await expect(stripe.coupons.retrieve(coupon.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});
