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
