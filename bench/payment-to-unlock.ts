// npm run bench:unlock — what a buyer feels: from the moment the Stripe stand-in sends
// checkout.session.completed to the moment an open success page in Chromium shows the unlocked
// wallpapers (live query, no reload); and, with webhooks held back, from the success page's
// confirm call to the same moment.
import type { Page } from 'playwright-core';
import { launchBrowser } from '../tests/support/browser.ts';
import { ms, printTable, summarize, type Row } from './support/report.ts';
import { sessionIdOf, startBenchStack, type BenchStack } from './support/stack.ts';

// Page scripts are passed as strings: tsx's compiled functions reference helpers that do not
// exist inside the page.

/** A new purchase token saved in the page (as the Buy button does) and a Checkout Session for it. */
async function newSession(page: Page): Promise<string> {
  const url = await page.evaluate<string>(`(async () => {
    const token = crypto.randomUUID();
    const key = 'instant-shop.purchase-tokens';
    localStorage.setItem(key, JSON.stringify([...JSON.parse(localStorage.getItem(key) ?? '[]'), token]));
    const res = await fetch('/api/checkout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, productId: 'wallpapers-warm' }) });
    return (await res.json()).url;
  })()`);
  return sessionIdOf(url);
}

/** Resolves with the wall-clock time (ms) at which the page first shows the paid state. */
function unlockedAt(page: Page): Promise<number> {
  return page.evaluate<number>(`new Promise((resolve) => {
    const done = () => document.querySelector('[data-testid="success-paid"] [data-unlocked="true"]');
    if (done()) return resolve(performance.timeOrigin + performance.now());
    new MutationObserver((_, obs) => {
      if (done()) {
        obs.disconnect();
        resolve(performance.timeOrigin + performance.now());
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  })`);
}

async function viaWebhook(stack: BenchStack, page: Page): Promise<number> {
  const sessionId = await newSession(page);
  await page.goto(`${stack.url}/success?session_id=${sessionId}`);
  await page.getByTestId('success-pending').waitFor();
  const unlocked = unlockedAt(page);
  const sent = new Promise<number>((resolve) => {
    const off = stack.stripe!.onDelivery((a) => {
      if (a.event_type === 'checkout.session.completed' && a.copy === 0) {
        off();
        resolve(a.signed_at);
      }
    });
  });
  await stack.local(`checkout_sessions/${sessionId}/pay`, {
    email: 'bench-unlock@example.com',
    card: '4242424242424242',
  });
  return (await unlocked) - (await sent);
}

async function viaConfirm(stack: BenchStack, page: Page): Promise<number> {
  const sessionId = await newSession(page);
  await stack.local(`checkout_sessions/${sessionId}/pay`, {
    email: 'bench-confirm@example.com',
    card: '4242424242424242',
  });
  await page.goto(`${stack.url}/success?session_id=${sessionId}`);
  const unlocked = await unlockedAt(page);
  // The confirm call's timing entry is recorded once its response has been read.
  await page.waitForFunction(
    `performance.getEntriesByType('resource').some((r) => r.name.endsWith('/api/checkout/confirm'))`,
  );
  const confirmStart = await page.evaluate<number>(`(() => {
    const e = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/api/checkout/confirm'));
    return e ? performance.timeOrigin + e.startTime : NaN;
  })()`);
  return unlocked - confirmStart;
}

export async function run(purchases = 30): Promise<Row[]> {
  const stack = await startBenchStack();
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(stack.url);
    await page.locator('[data-connection="authenticated"]').waitFor();
    const webhook: number[] = [];
    for (let i = 0; i < purchases; i++) webhook.push(await viaWebhook(stack, page));
    await stack.local('webhooks/hold');
    const confirm: number[] = [];
    for (let i = 0; i < purchases; i++) confirm.push(await viaConfirm(stack, page));
    await stack.local('webhooks/release');
    await stack.stripe!.whenDeliveriesIdle();
    const w = summarize(webhook);
    const c = summarize(confirm);
    return [
      { metric: `payment to unlock via webhook p50 (n=${w.n})`, value: ms(w.p50) },
      { metric: 'payment to unlock via webhook p95', value: ms(w.p95), target: '< 100 ms', ok: w.p95 < 100 },
      { metric: `confirm call to unlock p50 (n=${c.n})`, value: ms(c.p50) },
      { metric: 'confirm call to unlock p95', value: ms(c.p95), target: '< 250 ms', ok: c.p95 < 250 },
    ];
  } finally {
    await browser.close();
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printTable('bench:unlock', await run());
