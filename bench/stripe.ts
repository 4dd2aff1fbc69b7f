/**
 * `npm run bench:stripe [-- --events 2000 --concurrency 16]`
 *
 * Webhook throughput of the Stripe stand-in: triggers N events against a
 * trivial local endpoint that verifies each with `constructEvent`, then prints
 * deliveries per second and p50/p99 latency from signing to the 2xx answer.
 * Stops by itself (and fails after 60 s).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { startStripeLocal } from '../local/stripe/server.ts';

const { values } = parseArgs({ options: { events: { type: 'string' }, concurrency: { type: 'string' } } });
const total = Number(values.events ?? 2000);
const concurrency = Number(values.concurrency ?? 16);
if (!Number.isInteger(total) || total < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error('--events and --concurrency must be positive integers');
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

await stripe.close();
await new Promise<void>((resolve) => {
  endpoint.close(() => resolve());
  endpoint.closeAllConnections();
});
if (ok.length !== total || rejected > 0) process.exit(1);
