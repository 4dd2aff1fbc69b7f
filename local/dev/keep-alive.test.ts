// The stand-ins keep connections open between requests, as Stripe and Resend do: Node's clients
// reuse a connection only when the server's keep-alive hint leaves time to (a 1 s hint made every
// request open a new one), and the Stripe stand-in's webhook deliveries reuse theirs too.
import { createServer, Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMailbox, type Mailbox } from '../mailbox/index.ts';
import { startStripeLocal, type StripeLocal } from '../stripe/index.ts';

let stripeLocal: StripeLocal;
let mailbox: Mailbox;
let endpoint: Server;
const endpointConnections: number[] = [];
let delivered = 0;

beforeAll(async () => {
  [stripeLocal, mailbox] = await Promise.all([startStripeLocal(), startMailbox()]);
  endpoint = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      delivered++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  endpoint.on('connection', () => endpointConnections.push(Date.now()));
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await Promise.all([stripeLocal.close(), mailbox.close()]);
  endpoint.closeAllConnections();
  await new Promise<void>((r) => endpoint.close(() => r()));
});

/** A keep-alive agent that counts the connections it opens. */
function countingAgent() {
  const agent = new Agent({ keepAlive: true });
  const counted = { agent, opened: 0 };
  const open = agent.createConnection.bind(agent);
  agent.createConnection = ((...args: Parameters<typeof open>) => {
    counted.opened++;
    return open(...args);
  }) as typeof agent.createConnection;
  return counted;
}

it('answers the Stripe SDK on one connection, request after request', async () => {
  const counted = countingAgent();
  const url = new URL(stripeLocal.url);
  const stripe = new Stripe(stripeLocal.secretKey, {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    httpClient: Stripe.createNodeHttpClient(counted.agent),
  });
  for (let i = 0; i < 5; i++) await stripe.customers.list({ limit: 1 });
  expect(counted.opened).toBe(1);
  counted.agent.destroy();
});

it('takes mail on one connection, send after send', async () => {
  const counted = countingAgent();
  const send = (n: number) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ from: 'shop@example.com', to: `k${n}@example.com`, subject: 'hi', text: 'hi' });
      const req = request(
        `${mailbox.url}/emails`,
        {
          method: 'POST',
          agent: counted.agent,
          headers: { authorization: `Bearer ${mailbox.apiKey}`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  for (let i = 0; i < 3; i++) expect(await send(i)).toBe(200);
  expect(counted.opened).toBe(1);
  expect(mailbox.messages().filter((m) => /^k\d@example\.com$/.test(m.to[0] ?? ''))).toHaveLength(3);
  counted.agent.destroy();
});

it('delivers webhook after webhook to an endpoint on one connection', async () => {
  const port = (endpoint.address() as AddressInfo).port;
  stripeLocal.addWebhookEndpoint(`http://127.0.0.1:${port}/hook`, ['customer.created']);
  const url = new URL(stripeLocal.url);
  const stripe = new Stripe(stripeLocal.secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http' });
  for (let i = 1; i <= 4; i++) {
    await stripe.customers.create({ email: `hook${i}@example.com` });
    await stripeLocal.whenDeliveriesIdle();
    expect(delivered).toBe(i);
  }
  expect(stripeLocal.deliveries().every((d) => d.status === 'succeeded')).toBe(true);
  expect(endpointConnections).toHaveLength(1);
});
