import type Stripe from 'stripe';
import type { LocalAccount } from './account.ts';
import { escapeHtml } from '../escape-html.ts';
import { formatAmount } from './money.ts';

/** A bare overview at `/`, standing in for the Dashboard's test-mode lists. */
export function renderDashboard(account: LocalAccount): string {
  const sessions = account.store.all<Stripe.Checkout.Session>('checkout.session').slice(0, 25);
  const events = account.store.all<Stripe.Event>('event').slice(0, 50);
  const deliveries = account.webhooks.log.slice(-50).reverse();
  const endpoints = account.store.all<Stripe.WebhookEndpoint>('webhook_endpoint');
  const row = (cells: string[]): string => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local Stripe</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1a1f36}table{border-collapse:collapse;margin-bottom:24px}
td,th{border-bottom:1px solid #e3e8ee;padding:4px 10px;text-align:left}h2{font-size:16px}code{font-size:12px}</style></head>
<body><h1>Local Stripe stand-in <small style="color:#975a16">TEST MODE</small></h1>
<p>API: <code>${escapeHtml(account.baseUrl)}/v1</code> · test controls: <code>${escapeHtml(account.baseUrl)}/_local</code></p>
<h2>Webhook endpoints</h2><table>${endpoints.map((e) => row([`<code>${e.id}</code>`, escapeHtml(e.url), e.status, escapeHtml(e.enabled_events.join(', '))])).join('')}</table>
<h2>Checkout Sessions</h2><table>${sessions
    .map((s) =>
      row([
        `<a href="/c/pay/${s.id}"><code>${s.id.slice(0, 24)}…</code></a>`,
        String(s.status),
        s.payment_status,
        formatAmount(s.amount_total ?? 0, s.currency ?? 'usd'),
        escapeHtml(s.customer_details?.email ?? s.customer_email ?? ''),
      ]),
    )
    .join('')}</table>
<h2>Events</h2><table>${events.map((e) => row([`<code>${e.id}</code>`, e.type, new Date(e.created * 1000).toISOString(), `pending: ${e.pending_webhooks}`])).join('')}</table>
<h2>Webhook deliveries</h2><table>${deliveries
    .map((d) =>
      row([
        `<code>${d.event_id}</code>`,
        d.event_type,
        `attempt ${d.attempt}`,
        d.status,
        String(d.response_status ?? ''),
        escapeHtml(d.error ?? ''),
      ]),
    )
    .join('')}</table></body></html>`;
}
