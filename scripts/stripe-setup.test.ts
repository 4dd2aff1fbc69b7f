import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_API_VERSION, createStripe } from '../api/_lib/platform/stripe-client.ts';
import { HANDLED_STRIPE_EVENTS } from '../api/_lib/fulfillment/handled-events.ts';
import { startStripeLocal, type StripeLocal } from '../local/stripe/server.ts';
import { setupWebhookEndpoint, webhookUrlFor } from './stripe-setup.ts';

let local: StripeLocal;

beforeAll(async () => {
  local = await startStripeLocal();
});
afterAll(() => local.close());

describe('stripe:setup', () => {
  it('derives the webhook URL from the shop URL', () => {
    expect(webhookUrlFor('https://shop.example.com')).toBe('https://shop.example.com/api/stripe/webhook');
    expect(webhookUrlFor('https://shop.example.com/')).toBe('https://shop.example.com/api/stripe/webhook');
    expect(webhookUrlFor('https://shop.example.com/api/stripe/webhook')).toBe(
      'https://shop.example.com/api/stripe/webhook',
    );
    expect(() => webhookUrlFor('ftp://x')).toThrow(/http/);
  });

  it('creates the endpoint once, then updates it in place without a new secret', async () => {
    const stripe = createStripe({ STRIPE_SECRET_KEY: local.secretKey, STRIPE_API_BASE: local.url });
    const webhookUrl = 'https://shop.example.com/api/stripe/webhook';
    const first = await setupWebhookEndpoint(stripe, { webhookUrl });
    expect(first.action).toBe('created');
    expect(first.secret).toMatch(/^whsec_/);
    expect(first.endpoint.api_version).toBe(STRIPE_API_VERSION);
    expect([...first.endpoint.enabled_events].sort()).toEqual([...HANDLED_STRIPE_EVENTS].sort());

    const again = await setupWebhookEndpoint(stripe, { webhookUrl });
    expect(again).toMatchObject({ action: 'unchanged', secret: null });
    expect(again.endpoint.id).toBe(first.endpoint.id);

    await stripe.webhookEndpoints.update(first.endpoint.id, { enabled_events: ['charge.refunded'] });
    const fixed = await setupWebhookEndpoint(stripe, { webhookUrl });
    expect(fixed.action).toBe('updated');
    expect(fixed.secret).toBeNull();
    expect([...fixed.endpoint.enabled_events].sort()).toEqual([...HANDLED_STRIPE_EVENTS].sort());
    expect((await stripe.webhookEndpoints.list()).data).toHaveLength(1);

    const recreated = await setupWebhookEndpoint(stripe, { webhookUrl, recreate: true });
    expect(recreated.action).toBe('recreated');
    expect(recreated.secret).toMatch(/^whsec_/);
    expect(recreated.secret).not.toBe(first.secret);
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([recreated.endpoint.id]);
  });
});
