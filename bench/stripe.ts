/**
 * `npm run bench:stripe [-- --events 2000 --concurrency 16 --requests 3000 --rounds 3]`
 *
 * Webhook throughput of the Stripe stand-in: triggers N events against a
 * trivial local endpoint that verifies each with `constructEvent`, then prints
 * deliveries per second and p50/p99 latency from signing to the 2xx answer.
 * Stops by itself (and fails after 60 s).
 */
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { startMailbox } from '../local/mailbox/server.ts';
import { startStripeLocal } from '../local/stripe/server.ts';
import { inFlight } from './support/in-flight.ts';
import { rawRequest } from './support/raw-http.ts';
import { printTable, type Row } from './support/report.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    concurrency: { type: 'string' },
    requests: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const total = Number(values.events ?? 2000);
const concurrency = Number(values.concurrency ?? 16);
const requests = Number(values.requests ?? 3000);
const rounds = Number(values.rounds ?? 3);
if (![total, concurrency, requests, rounds].every((n) => Number.isInteger(n) && n >= 1)) {
  console.error('--events, --concurrency, --requests and --rounds must be positive integers');
  process.exit(1);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const verifier = new Stripe('sk_test_bench');
let secret = '';
let verified = 0;
let rejected = 0;
const endpoint = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      verifier.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers['stripe-signature']), secret);
      verified++;
      res.writeHead(200).end();
    } catch {
      rejected++;
      res.writeHead(400).end();
    }
  });
});
await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
const endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/webhook`;

const stripe = await startStripeLocal({ webhooks: { concurrency, maxAttempts: 1 } });
secret = stripe.addWebhookEndpoint(endpointUrl, ['customer.created']).secret;

const guard = setTimeout(() => {
  console.error(`Timed out: ${verified}/${total} deliveries after 60 s`);
  process.exit(1);
}, 60_000);

const started = performance.now();
const res = await fetch(`${stripe.url}/_local/trigger`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ event: 'customer.created', count: total }),
});
if (!res.ok) throw new Error(`trigger failed: ${res.status} ${await res.text()}`);
await stripe.whenDeliveriesIdle();
const elapsedMs = performance.now() - started;
clearTimeout(guard);

const log = stripe.deliveries();
const ok = log.filter((d) => d.status === 'succeeded');
const latencies = ok.map((d) => d.duration_ms).sort((a, b) => a - b);
const firstSigned = Math.min(...log.map((d) => d.signed_at));
const lastDone = Math.max(...log.map((d) => d.finished_at));
const windowS = Math.max(1, lastDone - firstSigned) / 1000;

console.log(`Stripe stand-in webhook benchmark (${total} customer.created events, concurrency ${concurrency})`);
console.table([
  {
    events: total,
    delivered_2xx: ok.length,
    failed: log.length - ok.length,
    verified_by_constructEvent: verified,
    rejected_signatures: rejected,
    'deliveries/s': Math.round(ok.length / windowS),
    'p50 sign→2xx (ms)': latencies.length ? Number(percentile(latencies, 50).toFixed(2)) : null,
    'p99 sign→2xx (ms)': latencies.length ? Number(percentile(latencies, 99).toFixed(2)) : null,
    'wall time (ms)': Math.round(elapsedMs),
  },
]);

// --- CPU per request -------------------------------------------------------------------------

/**
 * This process's CPU ms (user + system) per request of `work(n)`: the least of `rounds` runs
 * (other processes on the machine only ever add to it), after an untimed warm-up run;
 * `prepare(n)` runs before each, untimed.
 */
async function cpuPer(
  n: number,
  work: (n: number) => Promise<void>,
  prepare: (n: number) => Promise<void> = async () => {},
): Promise<number> {
  await prepare(Math.ceil(n / 5));
  await work(Math.ceil(n / 5));
  let least = Infinity;
  for (let round = 0; round < rounds; round++) {
    await prepare(n);
    const before = process.cpuUsage();
    await work(n);
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1000 / n);
  }
  return least;
}

/** Triggers `n` events of a type through the test control; returns their ids. */
async function trigger(event: string, n: number): Promise<{ id: string; type: string }[]> {
  const res = await fetch(`${stripe.url}/_local/trigger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event, count: n }),
  });
  if (!res.ok) throw new Error(`trigger failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { events: { id: string; type: string }[] }).events;
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

/** One raw request over the keep-alive agent (support/raw-http.ts); resolves with the status once the answer is read. */
const statusOf = async (url: string, method: string, headers: Record<string, string>, body?: string) =>
  (await rawRequest(url, { method, headers, body, agent })).status;

/** `n` requests, `concurrency` at a time; every answer must have `status`. */
async function drive(n: number, status: number, send: () => Promise<number>): Promise<void> {
  await inFlight(n, concurrency, async () => {
    const got = await send();
    if (got !== status) throw new Error(`expected HTTP ${status}, got ${got}`);
  });
}

const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/webhook`;

const floorMs = await cpuPer(requests, (n) => drive(n, 200, () => statusOf(sinkUrl, 'GET', {})));

// The shop's first deliveries: paid sessions' `checkout.session.completed`, made while deliveries
// are held (making them is not counted), then released; duplicates: copies of one event.
stripe.reset();
stripe.addWebhookEndpoint(sinkUrl, ['checkout.session.completed']);
const webhooks = stripe.account.webhooks;
const firstMs = await cpuPer(
  requests,
  async () => {
    webhooks.release();
    await stripe.whenDeliveriesIdle();
  },
  async (n) => {
    webhooks.hold();
    await trigger('checkout.session.completed', n);
  },
);
const events = await trigger('checkout.session.completed', 1);
await stripe.whenDeliveriesIdle();
const completed = events.find((e) => e.type === 'checkout.session.completed')!.id;
const resend = async (n: number): Promise<void> => {
  for (let sent = 0; sent < n; sent += 1000) {
    const copies = Math.min(1000, n - sent);
    const res = await statusOf(
      `${stripe.url}/_local/events/${completed}/resend`,
      'POST',
      { 'content-type': 'application/json' },
      JSON.stringify({ copies }),
    );
    if (res !== 200) throw new Error(`resend failed: ${res}`);
  }
  await stripe.whenDeliveriesIdle();
};
const duplicateMs = await cpuPer(requests, resend);
const perRun = rounds * requests + Math.ceil(requests / 5);
const firsts = stripe.deliveries().filter((d) => d.status === 'succeeded' && d.copy === 0).length;
const copies = stripe.deliveries().filter((d) => d.status === 'succeeded' && d.copy > 0).length;
if (firsts !== perRun + 1 || copies !== perRun) {
  throw new Error(`expected ${perRun + 1} first and ${perRun} duplicate deliveries, got ${firsts} and ${copies}`);
}

const sessionId = stripe.account.store.all<{ id: string; object: string }>('checkout.session')[0].id;
const expand = 'expand[]=line_items.data.price.product&expand[]=payment_intent.latest_charge';
const auth = { authorization: `Bearer ${stripe.secretKey}` };
const retrieveMs = await cpuPer(requests, (n) =>
  drive(n, 200, () => statusOf(`${stripe.url}/v1/checkout/sessions/${sessionId}?${expand}`, 'GET', auth)),
);

const mailbox = await startMailbox();
const mail = JSON.stringify({
  from: 'Shop <orders@shop.test>',
  to: ['buyer@example.com'],
  subject: 'Your download is ready',
  html: `<p>Thanks for your order.</p><p><a href="https://shop.test/orders/${sessionId}">Download</a></p>`,
  text: `Thanks for your order. Download: https://shop.test/orders/${sessionId}`,
});
const mailHeaders = { authorization: `Bearer ${mailbox.apiKey}`, 'content-type': 'application/json' };
// Each send with its own Idempotency-Key, as the shop's receipts carry.
let mails = 0;
const mailMs = await cpuPer(requests, (n) =>
  drive(n, 200, () =>
    statusOf(`${mailbox.url}/emails`, 'POST', { ...mailHeaders, 'idempotency-key': `receipt-${++mails}` }, mail),
  ),
);

const ms = (v: number): string => `${v.toFixed(3)} ms (${(v - floorMs).toFixed(3)} over floor)`;
const cpuRows: Row[] = [
  { metric: 'floor: raw client + empty node:http server, per request', value: `${floorMs.toFixed(3)} ms` },
  { metric: 'first webhook delivery (checkout.session.completed), per delivery', value: ms(firstMs) },
  { metric: 'duplicate webhook delivery (a copy of one event), per delivery', value: ms(duplicateMs) },
  { metric: 'GET session, expand line_items.data.price.product + payment_intent.latest_charge', value: ms(retrieveMs) },
  { metric: 'mailbox POST /emails, per mail', value: ms(mailMs) },
];
printTable(
  `Process CPU per request (least of ${rounds} runs of ${requests}, concurrency ${concurrency}, client side included)`,
  cpuRows,
);

agent.destroy();
await mailbox.close();
await new Promise<void>((resolve) => {
  sink.close(() => resolve());
  sink.closeAllConnections();
});
await stripe.close();
await new Promise<void>((resolve) => {
  endpoint.close(() => resolve());
  endpoint.closeAllConnections();
});
if (ok.length !== total || rejected > 0) process.exit(1);
