// The Instant bench's copy of the webhook path (shop-webhook-mix.ts) must keep the real path's
// shape, or bench:instant measures calls the shop no longer makes: the real webhook runs here
// (a guest's wallpaper pack, then a duplicate of its applied event), the admin SDK's requests
// are recorded on their way out (fetch passes through, untouched), and each call's shape
// (namespaces and where-keys; each step's action, namespace, attributes or link labels; the
// order) is compared with the copy's.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { guestCheckout } from '../../tests/support/shop.ts';
import { startShopStack, type ShopStack } from '../../tests/support/shop-stack.ts';
import { duplicateTransacts, firstDeliveryTransacts, lookupQuery, newDelivery } from './shop-webhook-mix.ts';

type Step = [string, string, string, Record<string, unknown>];
type Call = { query: Record<string, { $?: { where?: object } }> } | { steps: Step[] };

let shop: ShopStack;
beforeAll(async () => {
  shop = await startShopStack();
});
afterAll(() => shop.close());

const shapeOf = (call: Call) =>
  'query' in call
    ? { query: Object.entries(call.query).map(([ns, q]) => [ns, Object.keys(q.$?.where ?? {}).sort()]) }
    : { transact: call.steps.map(([action, ns, , attrs]) => [action, ns, Object.keys(attrs).sort()]) };

/** The admin calls made while `fn` runs, but the log entries of events the shop ignores. */
async function adminCallsDuring(fn: () => Promise<unknown>): Promise<Call[]> {
  const spy = vi.spyOn(globalThis, 'fetch');
  try {
    await fn();
    return spy.mock.calls
      .filter(([url]) => /\/admin\/(query|transact)\?/.test(String(url)))
      .map(([, init]) => JSON.parse(String(init?.body)) as Call)
      .filter(
        (c) => !('steps' in c && c.steps.every(([, ns, , a]) => ns === 'webhookEvents' && a.outcome === 'ignored')),
      );
  } finally {
    spy.mockRestore();
  }
}

describe("bench:instant's copy of the webhook path", () => {
  it('makes the calls of a first delivery and of a duplicate, in their shape and order', async () => {
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm');
    const first = await adminCallsDuring(async () => {
      expect((await shop.pay(sessionId, { email: 'mix@example.com', card: '4242424242424242' })).status).toBe(200);
      await shop.stripeLocal.whenDeliveriesIdle();
    });
    const { data } = await shop.stripe.events.list({ type: 'checkout.session.completed', limit: 10 });
    const event = data.find((e) => (e.data.object as { id: string }).id === sessionId)!;
    const duplicate = await adminCallsDuring(async () => {
      expect((await shop.local(`events/${event.id}/resend`, { copies: 1 })).status).toBe(200);
      await shop.stripeLocal.whenDeliveriesIdle();
    });

    const d = newDelivery(0);
    const copy = (transacts: Step[][]): Call[] => [lookupQuery(d), ...transacts.map((steps) => ({ steps }))];
    expect(first.map(shapeOf)).toEqual(copy(firstDeliveryTransacts(d) as Step[][]).map(shapeOf));
    expect(duplicate.map(shapeOf)).toEqual(copy(duplicateTransacts(d) as Step[][]).map(shapeOf));
  });
});
