import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStripeLocal, type StripeLocal } from '../local/stripe/server.ts';
import {
  STRIPE_API_VERSION,
  StripeConfigError,
  checkSecretKey,
  createStripe,
  getStripe,
  parseApiBase,
} from '../api/_lib/platform/stripe-client.ts';
import { HANDLED_STRIPE_EVENTS, isHandledStripeEvent } from '../api/_lib/fulfillment/handled-events.ts';

let local: StripeLocal;
const saved = { key: process.env.STRIPE_SECRET_KEY, base: process.env.STRIPE_API_BASE };

beforeAll(async () => {
  local = await startStripeLocal();
});
afterAll(() => local.close());
afterEach(() => {
  process.env.STRIPE_SECRET_KEY = saved.key;
  process.env.STRIPE_API_BASE = saved.base;
  if (saved.key === undefined) delete process.env.STRIPE_SECRET_KEY;
  if (saved.base === undefined) delete process.env.STRIPE_API_BASE;
});

describe('stripe client', () => {
  it('pins the SDK API version', () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    expect(STRIPE_API_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}/);
  });

  it('fails loudly for a missing key and for a publishable key', () => {
    expect(() => checkSecretKey(undefined)).toThrow(StripeConfigError);
    expect(() => checkSecretKey('')).toThrow(/STRIPE_SECRET_KEY is not set.*sk_test_/);
    expect(() => checkSecretKey('pk_test_123')).toThrow(
      /publishable key.*secret key, which starts with sk_.*dashboard\.stripe\.com/,
    );
    expect(() => checkSecretKey('whsec_123')).toThrow(/must start with sk_test_ or sk_live_/);
    expect(checkSecretKey(' sk_test_abc ')).toBe('sk_test_abc');
  });

  it('parses STRIPE_API_BASE into host, port and protocol', () => {
    expect(parseApiBase('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' });
    expect(parseApiBase('https://stripe.internal')).toEqual({ host: 'stripe.internal', port: 443, protocol: 'https' });
    expect(() => parseApiBase('127.0.0.1:12111')).toThrow(/http:\/\//);
    expect(() => parseApiBase('http://x/v1')).toThrow(/without a path/);
  });

  it('is a lazy singleton that reaches the stand-in through STRIPE_API_BASE', async () => {
    delete process.env.STRIPE_SECRET_KEY;
    expect(() => getStripe()).toThrow(/STRIPE_SECRET_KEY is not set/);
    process.env.STRIPE_SECRET_KEY = local.secretKey;
    process.env.STRIPE_API_BASE = local.url;
    const client = getStripe();
    expect(getStripe()).toBe(client);
    const customer = await client.customers.create({ email: 'client@example.com' });
    expect(customer.id).toMatch(/^cus_/);
    expect(customer.lastResponse.headers['stripe-version']).toBe(STRIPE_API_VERSION);
    expect(createStripe({ STRIPE_SECRET_KEY: 'sk_test_x' }).getApiField('maxNetworkRetries')).toBe(2);
  });

  it('lists exactly the handled events', () => {
    expect(HANDLED_STRIPE_EVENTS).toHaveLength(8);
    expect(isHandledStripeEvent('checkout.session.completed')).toBe(true);
    expect(isHandledStripeEvent('customer.created')).toBe(false);
  });
});
