// The operator overview in Chromium against `npm run dev`'s stack, after a known set of things
// happened: two warm trios (one refunded in part), a paid session of no known type (unfulfilled),
// a sale in EUR, and a delivery the webhook refused. The page, in the browser's time zone, shows
// each as made: revenue per currency as charts (read from the SVG and the figures tables), webhook
// health, an attention count whose link lists the purchase, and a CSV export whose rows are them;
// other ranges; and, last, a reconcile run repairing a sale whose webhooks were lost.
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { devStackWithBrowser, openPage, screenshotForDocs, withEvidence } from '../support/browser.ts';
import { csvRecords } from '../support/csv.ts';
import { adminFor } from '../support/instant-clients.ts';
import { guestPurchase, payOnStack, signInOnOps } from '../support/ops-page.ts';

const e2e = devStackWithBrowser({
  before: () => {
    delete process.env.OPERATOR_EMAILS;
  },
});

const TZ = 'Pacific/Auckland';
const made = {} as Record<'plain' | 'partial' | 'untyped' | 'eur', string>;

function stripeOf() {
  const url = new URL(e2e.stack.stripe!.url);
  return new Stripe(e2e.stack.stripe!.secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http' });
}

/** A paid session made straight in Stripe (as a payment link would), with or without a purchase type. */
async function directSale(stripe: Stripe, email: string, price: { currency: string; amount: number }, type?: string) {
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      {
        quantity: 1,
        price_data: { currency: price.currency, unit_amount: price.amount, product_data: { name: type ?? 'No type' } },
      },
    ],
    ...(type ? { metadata: { type } } : {}),
    success_url: `${e2e.stack.url}/success?session_id={CHECKOUT_SESSION_ID}`,
  });
  await payOnStack(e2e.stack, session.id, email);
  return session.id;
}

beforeAll(async () => {
  const stripe = stripeOf();
  made.plain = await guestPurchase(e2e.stack, 'plain.overview@example.com');
  made.partial = await guestPurchase(e2e.stack, 'partial.overview@example.com');
  const { payment_intent } = await stripe.checkout.sessions.retrieve(made.partial);
  await stripe.refunds.create({ payment_intent: payment_intent as string, amount: 200 });
  made.untyped = await directSale(stripe, 'untyped.overview@example.com', { currency: 'usd', amount: 700 });
  made.eur = await directSale(stripe, 'eur.overview@example.com', { currency: 'eur', amount: 900 }, 'field-guide');
  // A delivery the webhook refuses (no valid signature): the log records it as a failure.
  const refused = await fetch(`${e2e.stack.url}/api/stripe/webhook`, {
    method: 'POST',
    headers: { 'stripe-signature': 't=1,v1=x' },
    body: '{}',
  });
  expect(refused.status).toBe(400);
  await e2e.stack.stripe!.whenDeliveriesIdle();
}, 90_000);

/** A figures table's body as text, row by row. */
const tableRows = (table: Locator) =>
  table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));

/** The bars a chart drew for one series (a zero draws none). */
const bars = (chart: Locator, series: string) => chart.locator(`svg .series-${series} path.recharts-rectangle`);

async function figure(section: Locator, key: string) {
  return section.locator(`[data-figure="${key}"] dd`).textContent();
}

async function openOverview(page: Page) {
  await signInOnOps(page, e2e.stack, 'ops@example.com');
  await page.locator('[data-testid="ops-overview"][data-loading="false"]').waitFor();
}

describe('operator overview in a browser', () => {
  it('shows revenue, webhook health and attention as made, lists the unfulfilled purchase, exports the CSV', async () => {
    const {
      page,
      console: lines,
      close,
    } = await openPage(e2e.browser, {
      timezoneId: TZ,
      viewport: { width: 1200, height: 900 },
      acceptDownloads: true,
    });
    await withEvidence('ops-overview', page, lines, async () => {
      await openOverview(page);
      expect(await page.getByTestId('ov-timezone').textContent()).toContain(TZ);
      const shown = await page.getByTestId('ops-overview').getAttribute('data-range');
      const [from, to] = shown!.split('..');
      expect(from).toBe(to); // today, in Auckland
      expect(await page.getByTestId('ov-range-shown').textContent()).toBe(`${from}, ${TZ}`);

      // USD and EUR each have their own chart; never one figure for both.
      const usd = page.getByTestId('ov-revenue-usd');
      const eur = page.getByTestId('ov-revenue-eur');
      expect(await page.locator('[data-testid^="ov-revenue-"][data-testid$="-chart"]').count()).toBe(2);
      expect([
        await figure(usd, 'gross'),
        await figure(usd, 'refunded'),
        await figure(usd, 'disputed'),
        await figure(usd, 'net'),
      ]).toEqual(['$17.00', '$2.00', '$0.00', '$15.00']);
      expect(await figure(eur, 'net')).toBe('€9.00');
      const usdChart = page.getByTestId('ov-revenue-usd-chart');
      await usdChart.locator('svg .series-gross path.recharts-rectangle').first().waitFor();
      expect(await usdChart.locator('.recharts-legend-item-text').allTextContents()).toEqual([
        'Gross',
        'Refunded',
        'Disputed',
        'Net',
      ]);
      expect([
        await bars(usdChart, 'gross').count(),
        await bars(usdChart, 'refunded').count(),
        await bars(usdChart, 'disputed').count(),
        await bars(usdChart, 'net').count(),
      ]).toEqual([1, 1, 0, 1]);
      expect(await usdChart.locator('.recharts-wrapper > svg > title').textContent()).toBe('Revenue per day, USD');
      expect(await tableRows(page.getByTestId('ov-revenue-usd-chart-figures'))).toEqual([
        [from, '$17.00', '$2.00', '$0.00', '$15.00'],
      ]);
      expect(await tableRows(page.getByTestId('ov-revenue-usd-kinds'))).toEqual([
        ['Wallpaper packs', '2', '$10.00', '$2.00', '$0.00', '$8.00'],
        ['Unknown type', '1', '$7.00', '$0.00', '$0.00', '$7.00'],
      ]);
      expect(await tableRows(page.getByTestId('ov-revenue-eur-products'))).toEqual([
        ['The Wallpaper Field Guide', '1', '€9.00', '€0.00', '€0.00', '€9.00'],
      ]);
      // A partial refund leaves the purchase paid.
      expect(await page.locator('[data-testid="ov-statuses"] tbody tr').allTextContents()).toEqual(['paid4']);

      // Webhook health equals the log: every delivery, the refused one among the failures.
      const { webhookEvents } = await adminFor(e2e.stack.instant).query({ webhookEvents: {} });
      const failed = webhookEvents.filter((e) => e.outcome === 'failed' || e.outcome === 'rejected');
      expect(failed.length).toBeGreaterThanOrEqual(1);
      const health = page.getByTestId('ov-webhooks');
      expect(await figure(health, 'deliveries')).toBe(String(webhookEvents.length));
      expect(await figure(health, 'failures')).toBe(String(failed.length));
      expect(await health.getAttribute('data-partial')).toBe('false');
      const hooksChart = page.getByTestId('ov-webhooks-chart');
      await hooksChart.locator('svg .series-deliveries path.recharts-rectangle').first().waitFor();
      const hours = await tableRows(page.getByTestId('ov-webhooks-chart-figures'));
      expect(hours.reduce((n, [, d]) => n + Number(d), 0)).toBe(webhookEvents.length);
      expect(hours.reduce((n, [, , f]) => n + Number(f), 0)).toBe(failed.length);
      expect(await bars(hooksChart, 'failures').count()).toBe(hours.filter(([, , f]) => f !== '0').length);
      await screenshotForDocs(page, 'ops-overview', { fullPage: false });

      // The export: fetched with the token in a header (never the URL), saved as a file.
      const exportRequest = page.waitForRequest((r) => r.url().includes('/api/ops/export'));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('ov-export-purchases').click(),
      ]);
      const request = await exportRequest;
      expect(new URL(request.url()).search).toBe('');
      expect(request.headers().authorization).toMatch(/^Bearer \S+/);
      expect(download.suggestedFilename()).toBe(`purchases-${from}-to-${to}.csv`);
      const rows = csvRecords(readFileSync(await download.path(), 'utf8'));
      expect(rows.map((r) => [r.sessionId, r.status, r.amount, r.currency, r.refundedAmount || '0']).sort()).toEqual(
        [
          [made.plain, 'paid', '500', 'usd', '0'],
          [made.partial, 'paid', '500', 'usd', '200'],
          [made.untyped, 'paid', '700', 'usd', '0'],
          [made.eur, 'paid', '900', 'eur', '0'],
        ].sort(),
      );

      // The attention count links to the list of what it counts.
      const unfulfilled = page.getByTestId('ov-attention-unfulfilled');
      expect(await unfulfilled.locator('strong').textContent()).toBe('1');
      await unfulfilled.click();
      await page.waitForURL(/\/ops\/attention\/unfulfilled$/);
      await page.locator('[data-testid="ops-attention"][data-loaded="true"]').waitFor();
      const listed = page.getByTestId('ops-attention-rows').locator('tbody tr');
      expect(await listed.count()).toBe(1);
      expect(await listed.first().getAttribute('data-testid')).toBe(`ops-purchase-${made.untyped}`);
      expect(await listed.first().textContent()).toContain('untyped.overview@example.com');
      await screenshotForDocs(page, 'ops-attention', { fullPage: false });
    });
    await close();
  }, 120_000); // the first page load compiles the SPA

  it('switches the range: 7 days, one row a day; a custom range past the log says the log keeps 30 days', async () => {
    const { page, console: lines, close } = await openPage(e2e.browser, { timezoneId: TZ });
    await withEvidence('ops-overview-range', page, lines, async () => {
      await openOverview(page);
      await page.locator('.segmented label', { hasText: '7 days' }).click();
      await page.waitForURL(/\/ops\?range=7d$/);
      // Checked once the page has rendered the new range (which starts its load in that render).
      await page.getByRole('radio', { name: '7 days', checked: true }).waitFor();
      await page.locator('[data-testid="ops-overview"][data-loading="false"]').waitFor();
      const figures = await tableRows(page.getByTestId('ov-revenue-usd-chart-figures'));
      expect(figures).toHaveLength(7);
      expect(figures.at(-1)!.slice(1)).toEqual(['$17.00', '$2.00', '$0.00', '$15.00']);
      expect(figures.slice(0, 6).every((r) => r.slice(1).every((c) => c === '$0.00'))).toBe(true);
      expect(await page.getByTestId('ov-webhooks').getAttribute('data-partial')).toBe('false');

      // A custom range reaching past the webhook log's 30 days says so instead of showing zeros.
      const today = figures.at(-1)![0]!;
      const sixtyDaysAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 60 * 86_400_000).toISOString().slice(0, 10);
      await page.locator('.segmented label', { hasText: 'Custom' }).click();
      await page.getByLabel('From').fill(sixtyDaysAgo);
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(new RegExp(`range=custom&from=${sixtyDaysAgo}&to=${today}$`));
      await page.locator(`[data-testid="ops-overview"][data-range="${sixtyDaysAgo}..${today}"]`).waitFor();
      expect(await page.getByTestId('ov-webhooks').getAttribute('data-partial')).toBe('true');
      expect(await page.getByTestId('ov-webhooks-partial').textContent()).toMatch(
        /keeps 30 days: these figures cover only/,
      );
      expect(await tableRows(page.getByTestId('ov-revenue-usd-chart-figures'))).toHaveLength(61);
    });
    await close();
  }, 60_000);

  // Last: it adds a sale, which the figures above do not count.
  it('shows a reconcile run, with what it repaired, among the last runs', async () => {
    const { page, console: lines, close } = await openPage(e2e.browser, { timezoneId: TZ });
    await withEvidence('ops-overview-reconcile', page, lines, async () => {
      // A sale whose webhooks never arrive (the endpoint is off) is what reconcile is for.
      const stripe = stripeOf();
      const [endpoint] = (await stripe.webhookEndpoints.list()).data;
      await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
      const missed = await guestPurchase(e2e.stack, 'missed.overview@example.com');
      await stripe.webhookEndpoints.update(endpoint.id, { disabled: false });

      await openOverview(page);
      await page.getByRole('link', { name: 'Buyers, webhooks and audit' }).click();
      await page.getByTestId('ops-reconcile-run').click();
      const report = page.getByTestId('ops-reconcile-report');
      await report.waitFor();
      const findings = Number(await report.getAttribute('data-findings'));
      expect(findings).toBeGreaterThan(0);
      await page.getByRole('link', { name: 'Overview', exact: true }).click();
      await page.locator('[data-testid="ops-overview"][data-loading="false"]').waitFor();
      const runs = page.getByTestId('ov-reconcile-runs').locator('tbody tr');
      expect(await runs.count()).toBe(1);
      expect(await runs.first().getAttribute('data-findings')).toBe(String(findings));
      expect(await runs.first().locator('td').nth(1).textContent()).toBe('operator:ops@example.com');
      const listed = await runs.first().locator('li').allTextContents();
      expect(listed).toHaveLength(findings);
      expect(listed).toContainEqual(expect.stringContaining(missed));
    });
    await close();
  }, 60_000);
});
