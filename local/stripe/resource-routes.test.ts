// The routes every resource shares (resource-routes.ts), through the real SDK: an update copies
// its params, merges metadata and announces what changed; a list filters by plain fields and by
// the resource's own tests; a delete refuses what is still in use.
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeLocal, type StripeLocal } from './server.ts';
import { sdkFor } from './test-support.ts';

let local: StripeLocal;
let stripe: Stripe;
beforeAll(async () => {
  local = await startStripeLocal();
  stripe = sdkFor(local);
});
afterAll(() => local.close());

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
