// Helpers for the operator tests: calls to api/ops/* and a shop with a signed-in operator. The
// shop helpers they share with the other tests (sign-in, checkouts, receipts) are in shop.ts.
import { afterAll, beforeAll, expect } from 'vitest';
import { bearer, signIn, type SignedIn } from './shop.ts';
import { startShopStack, type ShopStack } from './shop-stack.ts';

export async function ops<T = any>(shop: ShopStack, who: SignedIn, command: string, body: unknown = {}): Promise<T> {
  const res = await shop.post(`/api/ops/${command}`, body, bearer(who));
  const text = await res.text();
  expect(res.status, `${command}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

export type OperatorShop = { shop: ShopStack; operator: SignedIn };

/** The shop's back end with ops@example.com as its operator, signed in. */
export async function startShopWithOperator(): Promise<OperatorShop> {
  const shop = await startShopStack();
  process.env.OPERATOR_EMAILS = 'ops@example.com';
  return { shop, operator: await signIn(shop, 'ops@example.com') };
}

/** For an operator test file: the shop and its operator, handed to `use` before the tests; closed after them. */
export function withOperatorShop(use: (started: OperatorShop) => void): void {
  let started: OperatorShop | undefined;
  beforeAll(async () => use((started = await startShopWithOperator())));
  afterAll(() => started?.shop.close());
}

/** A paid Checkout Session made straight in Stripe (as a payment link or the dashboard would), of `type` in `currency`. */
async function buyDirect(shop: ShopStack, price: { currency: string; amount: number }, email: string, type?: string) {
  const session = await shop.stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      {
        quantity: 1,
        price_data: { currency: price.currency, unit_amount: price.amount, product_data: { name: type ?? 'No type' } },
      },
    ],
    ...(type ? { metadata: { type } } : {}),
    success_url: `${shop.api}/success?session_id={CHECKOUT_SESSION_ID}`,
  });
  expect((await shop.pay(session.id, { email, card: '4242424242424242' })).status).toBe(200);
  await shop.stripeLocal.whenDeliveriesIdle();
  return session.id;
}

/** A catalog product bought in another currency than the catalog's. */
export const buyInCurrency = (shop: ShopStack, productId: string, currency: string, amount: number, email: string) =>
  buyDirect(shop, { currency, amount }, email, productId);

/** A paid session that names no purchase type (recorded as unfulfilled). */
export const buyUntyped = (shop: ShopStack, amount: number, email: string) =>
  buyDirect(shop, { currency: 'usd', amount }, email);
