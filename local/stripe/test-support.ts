/** Shared by the stand-in's tests: an SDK client for it and a webhook receiver. */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { StripeLocal } from './server.ts';

export function sdkFor(local: StripeLocal, options: { maxNetworkRetries?: number } = {}): Stripe {
  const url = new URL(local.url);
  return new Stripe(local.secretKey, {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
  });
}

export interface Received {
  body: string;
  signature: string;
  /** The verified event, or null when `constructEvent` rejected it. */
  event: Stripe.Event | null;
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Secret used to verify; set after creating the endpoint. */
  secret: string;
  /** Answers for the next requests (default 200), e.g. `[500]` to fail once. */
  plan: number[];
  /** Resolves with the first received item (past or future) that satisfies `test`. */
  waitFor(test: (r: Received) => boolean): Promise<Received>;
  /** Resolves once `count` received items satisfy `test`. */
  waitForCount(test: (r: Received) => boolean, count: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A webhook endpoint that verifies with the real `stripe.webhooks.constructEvent`. */
export async function startReceiver(): Promise<Receiver> {
  const emitter = new EventEmitter();
  const verifier = new Stripe('sk_test_verifier');
  const receiver: Receiver = {
    url: '',
    received: [],
    secret: '',
    plan: [],
    waitFor: (test) => receiver.waitForCount(test, 1).then((all) => all[0]),
    waitForCount: (test, count) =>
      new Promise((resolve) => {
        const check = (): boolean => {
          const matching = receiver.received.filter(test);
          if (matching.length >= count) {
            emitter.off('received', check);
            resolve(matching.slice(0, count));
            return true;
          }
          return false;
        };
        if (!check()) emitter.on('received', check);
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['stripe-signature'] ?? '');
      let event: Stripe.Event | null = null;
      try {
        event = verifier.webhooks.constructEvent(body, signature, receiver.secret);
      } catch {
        event = null;
      }
      const status = event ? (receiver.plan.shift() ?? 200) : 400;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"received":true}');
      receiver.received.push({ body, signature, event, status });
      emitter.emit('received');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return receiver;
}

/** POSTs JSON to a `/_local/` test control. */
export async function control<T = Record<string, unknown>>(
  local: StripeLocal,
  path: string,
  body: unknown = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${local.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** A one-line-item session for $20.00 with the given extra params. */
export function sessionParams(
  extra: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [{ price_data: { currency: 'usd', unit_amount: 2000, product_data: { name: 'Poster' } }, quantity: 1 }],
    success_url: 'https://shop.test/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.test/cancel',
    ...extra,
  };
}
