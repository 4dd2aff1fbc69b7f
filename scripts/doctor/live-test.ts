// `--live-test` (test-mode keys only): seed 003's checklist end to end, through the deployed
// shop. A guest checkout for the cheapest product; paid by the stand-in's control or by a person
// with a test card; then the webhook's purchase, the unlock for its token, a refund, and access
// revoked. Nothing is deleted (exactly-once depends on the records): the session and the refund
// carry `metadata.doctor`.
import { randomUUID } from 'node:crypto';
import { init } from '@instantdb/admin';
import type Stripe from 'stripe';
import { PRODUCTS, type Product } from '../../catalog/products.ts';
import { wallpaperIdFor } from '../../api/_lib/fulfillment/purchase-ids.ts';
import { fail, ok, type Check, type Env } from './check.ts';
import { stripeMode } from './env.ts';
import { instantAddress } from './instant.ts';

export const DOCTOR_TAG = { doctor: 'live-test' };
const TEST_CARD = '4242424242424242';

export type LiveTestOptions = {
  stripe: Stripe;
  /** How long to wait for a person to pay on real Stripe, and for the webhook. */
  payTimeoutMs?: number;
  webhookTimeoutMs?: number;
  /** Where the checkout URL is shown on real Stripe. */
  say?: (line: string) => void;
  products?: readonly Product[];
};

/** The cheapest product a guest can buy (packs and downloads), by its inline price. */
export function cheapestGuestProduct(products: readonly Product[] = PRODUCTS): Product | null {
  const buyable = products.filter(
    (p) => (p.kind === 'wallpaper-pack' || (p.kind === 'download' && !p.withdrawn)) && 'amount' in p.price,
  );
  return (
    buyable.sort((a, b) => (a.price as { amount: number }).amount - (b.price as { amount: number }).amount)[0] ?? null
  );
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type Purchase = { id: string; sessionId: string; status: string; paymentIntentId?: string };

export async function runLiveTest(env: Env, opts: LiveTestOptions): Promise<Check[]> {
  if (stripeMode(env.STRIPE_SECRET_KEY) !== 'test') {
    return [
      fail(
        '--live-test runs only with test-mode keys (STRIPE_SECRET_KEY sk_test_…)',
        'run it against a test-mode deployment; it makes a real purchase',
      ),
    ];
  }
  const product = cheapestGuestProduct(opts.products);
  if (!product)
    return [
      fail(
        '--live-test: the catalog has no guest product with an inline price',
        'add a wallpaper pack or a download with an inline price',
      ),
    ];
  if (!env.APP_URL?.trim() || !env.INSTANT_APP_ID?.trim() || !env.INSTANT_ADMIN_TOKEN?.trim()) {
    return [
      fail(
        '--live-test needs APP_URL, INSTANT_APP_ID and INSTANT_ADMIN_TOKEN',
        "set them (the doctor's checks above say how)",
      ),
    ];
  }
  const app = env.APP_URL.trim().replace(/\/+$/, '');
  const stripe = opts.stripe;
  const db = init({
    appId: env.INSTANT_APP_ID.trim(),
    adminToken: env.INSTANT_ADMIN_TOKEN.trim(),
    apiURI: instantAddress(env),
  });
  const webhookTimeout = opts.webhookTimeoutMs ?? 60_000;
  const checks: Check[] = [];
  const step = async (label: string, fix: string, fn: () => Promise<string | void>): Promise<boolean> => {
    try {
      const detail = await fn();
      checks.push(ok(`live test: ${label}${detail ? ` (${detail})` : ''}`));
      return true;
    } catch (e) {
      checks.push(fail(`live test: ${label}: ${(e as Error).message}`, fix));
      return false;
    }
  };
  const purchaseBy = async (where: Record<string, string>): Promise<Purchase | null> => {
    const { purchases } = await db.query({ purchases: { $: { where } } });
    return (purchases as Purchase[])[0] ?? null;
  };
  const unlock = async (purchase: Purchase, token: string): Promise<Response> =>
    product.kind === 'download'
      ? fetch(`${app}/api/downloads/${purchase.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
        })
      : fetch(`${app}/api/wallpapers/download`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            tokens: [token],
            wallpaperId: wallpaperIdFor((product as { wallpapers: string[] }).wallpapers[0]),
          }),
        });

  const token = randomUUID();
  let checkoutUrl = '';
  let purchase: Purchase | null = null;
  const started = await step(
    `checkout for "${product.id}" opened through ${app}/api/checkout`,
    'see the message; the same call is what the Buy button makes',
    async () => {
      const res = await fetch(`${app}/api/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, productId: product.id }),
      });
      const body = (await res.json().catch(() => ({}))) as { url?: string; error?: string };
      if (!res.ok || !body.url)
        throw new Error(`the shop answered ${res.status}${body.error ? `: ${body.error}` : ''}`);
      checkoutUrl = body.url;
      purchase = await until('the pending purchase', 10_000, () => purchaseBy({ token }));
      await stripe.checkout.sessions.update(purchase.sessionId, { metadata: DOCTOR_TAG });
      return purchase.sessionId;
    },
  );
  if (!started || !purchase) return checks;
  const sessionId = (purchase as Purchase).sessionId;

  const paid = await step(
    'checkout paid',
    'pay with the test card 4242 4242 4242 4242 at the printed URL',
    async () => {
      if (env.STRIPE_API_BASE?.trim()) {
        const res = await fetch(
          `${env.STRIPE_API_BASE.trim().replace(/\/+$/, '')}/_local/checkout_sessions/${sessionId}/pay`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'doctor@example.com', card: TEST_CARD }),
          },
        );
        if (!res.ok) throw new Error(`the stand-in's pay control answered ${res.status}`);
        return "by the stand-in's test control";
      }
      (opts.say ?? console.log)(
        `\nPay this test checkout with the card 4242 4242 4242 4242 (any future date, any CVC):\n  ${checkoutUrl}\n`,
      );
      await until('the checkout to be paid', opts.payTimeoutMs ?? 15 * 60_000, async () =>
        (await stripe.checkout.sessions.retrieve(sessionId)).status === 'complete' ? true : null,
      );
      return 'by you';
    },
  );
  if (!paid) return checks;

  let paidPurchase: Purchase | null = null;
  const fulfilled = await step(
    'webhook delivered and the purchase written as paid',
    'check the webhook endpoint and STRIPE_WEBHOOK_SECRET (Stripe dashboard → Webhooks → the endpoint → deliveries)',
    async () => {
      paidPurchase = await until('the webhook to mark the purchase paid', webhookTimeout, async () => {
        const p = await purchaseBy({ sessionId });
        return p?.status === 'paid' ? p : null;
      });
      return paidPurchase.id;
    },
  );
  if (!fulfilled || !paidPurchase) return checks;
  const bought = paidPurchase as Purchase;

  const unlocked = await step(
    `content unlocked for the purchase's token`,
    'see the message; the success page makes the same call',
    async () => {
      const res = await unlock(bought, token);
      if (res.status !== 200) throw new Error(`the shop answered ${res.status}: ${await res.text()}`);
    },
  );
  if (!unlocked) return checks;

  const refunded = await step(
    'refunded, and the purchase written as refunded',
    'check that the endpoint receives charge.refunded',
    async () => {
      const session = await stripe.checkout.sessions.retrieve(sessionId);
      const pi = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
      if (!pi) throw new Error('the session has no payment intent');
      const refund = await stripe.refunds.create({ payment_intent: pi, metadata: DOCTOR_TAG });
      await until('the webhook to mark the purchase refunded', webhookTimeout, async () =>
        (await purchaseBy({ sessionId }))?.status === 'refunded' ? true : null,
      );
      return refund.id;
    },
  );
  if (!refunded) return checks;

  await step(
    'access revoked after the refund',
    'see the message: a refunded purchase must no longer unlock',
    async () => {
      const res = await unlock(bought, token);
      if (res.status === 200) throw new Error('the token still unlocks the content');
      return `the shop answers ${res.status}`;
    },
  );
  return checks;
}
