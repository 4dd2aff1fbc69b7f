import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { LocalAccount } from './account.ts';
import { authenticate, expireSession, pay, settleDelayedPayment } from './checkout-flow.ts';
import { StripeApiError, invalidRequest } from './errors.ts';
import { readBody, sendJson } from './http-io.ts';
import { DISPUTE_REASONS, closeDispute, openDispute } from './resources/disputes.ts';
import { stripeFaultsBody } from './faults.ts';
import { failRefund } from './resources/refunds.ts';
import { TRIGGERS } from './triggers.ts';

const payBody = z.strictObject({
  email: z.string().optional(),
  name: z.string().optional(),
  card: z.string().optional(),
  method: z.enum(['card', 'delayed']).optional(),
  /** For `method: 'delayed'`: the result it settles with later. */
  outcome: z.enum(['succeeded', 'failed']).optional(),
  promotion_code: z.string().optional(),
});
const authenticateBody = z.strictObject({ outcome: z.enum(['approve', 'fail']) });
const settleBody = z.strictObject({ outcome: z.enum(['succeeded', 'failed']).optional() });
const resendBody = z.strictObject({
  copies: z.number().int().min(1).max(1000).optional(),
  delay_ms: z.number().int().min(0).max(3_600_000).optional(),
  endpoint: z.string().optional(),
});
const releaseBody = z.strictObject({ order: z.enum(['fifo', 'reverse', 'shuffle']).optional() });
const disputeBody = z.strictObject({
  reason: z.enum(DISPUTE_REASONS).optional(),
  amount: z.number().int().positive().optional(),
});
const closeBody = z.strictObject({ status: z.enum(['won', 'lost']) });
const failBody = z.strictObject({
  failure_reason: z.enum(['expired_or_canceled_card', 'lost_or_stolen_card', 'declined', 'unknown']).optional(),
});
const triggerBody = z.strictObject({ event: z.string(), count: z.number().int().min(1).max(100_000).optional() });
const configBody = z.strictObject({
  async_payment_delay_ms: z.number().int().min(0).nullable().optional(),
  retry_base_delay_ms: z.number().int().min(0).optional(),
  max_attempts: z.number().int().min(1).max(20).optional(),
  timeout_ms: z.number().int().min(1).optional(),
});
const deliveriesQuery = z.object({
  event: z.string().optional(),
  endpoint: z.string().optional(),
  status: z.enum(['succeeded', 'retrying', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(20_000).optional(),
});

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidRequest(`${issue.path.join('.') || 'body'}: ${issue.message}`, issue.path.join('.') || undefined);
  }
  return result.data;
}

function session(account: LocalAccount, id: string): Stripe.Checkout.Session {
  return account.store.require<Stripe.Checkout.Session>('checkout.session', id, 'checkout.session');
}

type Control = (
  account: LocalAccount,
  body: unknown,
  match: string[],
  query: URLSearchParams,
) => { status?: number; body: unknown };

/**
 * JSON controls for tests and the CLI. They have no auth: the stand-in binds
 * to 127.0.0.1 and holds only test data.
 */
const controls: { method: string; pattern: RegExp; run: Control }[] = [
  {
    method: 'POST',
    pattern: /^\/_local\/checkout_sessions\/([^/]+)\/pay$/,
    run: (account, body, [id]) => {
      const p = parse(payBody, body);
      const s = session(account, id);
      const result = pay(account, s, { ...p, delayed_outcome: p.outcome });
      const status = result.status === 'declined' ? 402 : result.status === 'invalid' ? 400 : 200;
      return { status, body: { ...result, session: s } };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/checkout_sessions\/([^/]+)\/authenticate$/,
    run: (account, body, [id]) => {
      const p = parse(authenticateBody, body);
      const s = session(account, id);
      const result = authenticate(account, s, p.outcome === 'approve');
      return {
        status: result.status === 'invalid' ? 400 : result.status === 'declined' ? 402 : 200,
        body: { ...result, session: s },
      };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/checkout_sessions\/([^/]+)\/settle$/,
    run: (account, body, [id]) => {
      const p = parse(settleBody, body);
      const s = session(account, id);
      const result = settleDelayedPayment(account, s, p.outcome);
      if (!result.ok) throw invalidRequest(result.message, 'id');
      return { body: { session: s } };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/checkout_sessions\/([^/]+)\/expire$/,
    run: (account, _body, [id]) => {
      const s = session(account, id);
      if (s.status !== 'open')
        throw invalidRequest(`Only open sessions can be expired; this one is ${s.status}.`, 'id');
      expireSession(account, s);
      return { body: { session: s } };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/events\/([^/]+)\/resend$/,
    run: (account, body, [id]) => {
      const p = parse(resendBody, body ?? {});
      const event = account.store.require<Stripe.Event>('event', id, 'event');
      const endpoints = account.store
        .all<Stripe.WebhookEndpoint>('webhook_endpoint')
        .filter((e) =>
          p.endpoint
            ? e.id === p.endpoint
            : e.status === 'enabled' && (e.enabled_events.includes('*') || e.enabled_events.includes(event.type)),
        );
      if (p.endpoint && endpoints.length === 0)
        throw invalidRequest(`No such webhook endpoint: '${p.endpoint}'`, 'endpoint', 'resource_missing');
      const copies = p.copies ?? 1;
      for (const endpoint of endpoints) {
        for (let c = 1; c <= copies; c++) account.deliver(event, account.target(endpoint), c, p.delay_ms ?? 0);
      }
      return {
        body: { event: event.id, endpoints: endpoints.map((e) => e.id), copies, queued: endpoints.length * copies },
      };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/webhooks\/hold$/,
    run: (account) => {
      account.webhooks.hold();
      return { body: { holding: true } };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/webhooks\/release$/,
    run: (account, body) => {
      const p = parse(releaseBody, body ?? {});
      return { body: { released: account.webhooks.release(p.order, account.ids.seed) } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/_local\/deliveries$/,
    run: (account, _body, _m, query) => {
      const q = parse(deliveriesQuery, Object.fromEntries(query));
      const data = account.webhooks.log
        .filter(
          (d) =>
            (!q.event || d.event_id === q.event) &&
            (!q.endpoint || d.endpoint_id === q.endpoint) &&
            (!q.status || d.status === q.status),
        )
        .slice(-(q.limit ?? 100))
        .reverse();
      return { body: { object: 'list', data, held: account.webhooks.heldCount, idle: account.webhooks.idle } };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/charges\/([^/]+)\/dispute$/,
    run: (account, body, [id]) => {
      const p = parse(disputeBody, body ?? {});
      return { body: openDispute(account, account.store.require<Stripe.Charge>('charge', id), p) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/disputes\/([^/]+)\/close$/,
    run: (account, body, [id]) => {
      const p = parse(closeBody, body);
      return { body: closeDispute(account, account.store.require<Stripe.Dispute>('dispute', id), p.status) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/refunds\/([^/]+)\/fail$/,
    run: (account, body, [id]) => {
      const p = parse(failBody, body ?? {});
      return { body: failRefund(account, account.store.require<Stripe.Refund>('refund', id), p.failure_reason) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/trigger$/,
    run: (account, body) => {
      const p = parse(triggerBody, body);
      const fixture = TRIGGERS[p.event];
      if (!fixture)
        throw invalidRequest(`Cannot trigger ${p.event}. Supported: ${Object.keys(TRIGGERS).join(', ')}.`, 'event');
      const before = new Set(account.store.all('event').map((e) => e.id));
      for (let i = 0; i < (p.count ?? 1); i++) fixture(account);
      const created = account.store.all<Stripe.Event>('event').filter((e) => !before.has(e.id));
      return {
        body: {
          triggered: p.event,
          count: p.count ?? 1,
          events: created.reverse().map((e) => ({ id: e.id, type: e.type })),
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/config$/,
    run: (account, body) => {
      const p = parse(configBody, body ?? {});
      if (p.async_payment_delay_ms !== undefined) account.asyncPaymentDelayMs = p.async_payment_delay_ms;
      if (p.retry_base_delay_ms !== undefined) account.webhooks.options.retryBaseDelayMs = p.retry_base_delay_ms;
      if (p.max_attempts !== undefined) account.webhooks.options.maxAttempts = p.max_attempts;
      if (p.timeout_ms !== undefined) account.webhooks.options.timeoutMs = p.timeout_ms;
      return { body: { async_payment_delay_ms: account.asyncPaymentDelayMs, webhooks: account.webhooks.options } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/_local\/faults$/,
    run: (account) => ({ body: account.faults.snapshot() }),
  },
  {
    method: 'POST',
    pattern: /^\/_local\/faults$/,
    run: (account, body) => {
      // Replaces both plans: what is left out is switched off.
      account.faults.configure(parse(stripeFaultsBody, body ?? {}));
      return { body: account.faults.snapshot() };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_local\/reset$/,
    run: (account) => {
      account.reset();
      return { body: { reset: true } };
    },
  },
];

export const CONTROL_LIST = controls.map(
  (c) =>
    `${c.method} ${c.pattern.source
      .replace(/\\\//g, '/')
      .replace(/\(\[\^\/\]\+\)/g, '{id}')
      .replace(/^\^|\$$/g, '')}`,
);

/** Serves `/_local/*`; returns false for other paths. */
export async function handleTestControl(
  account: LocalAccount,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (!url.pathname.startsWith('/_local/') && url.pathname !== '/_local') return false;
  const requestId = `req_local_${Date.now().toString(36)}`;
  try {
    if (url.pathname === '/_local' || url.pathname === '/_local/') {
      sendJson(res, 200, { controls: CONTROL_LIST });
      return true;
    }
    for (const control of controls) {
      const m = control.pattern.exec(url.pathname);
      if (!m || control.method !== req.method) continue;
      const text = await readBody(req);
      let body: unknown = undefined;
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          throw invalidRequest('The request body must be JSON.');
        }
      }
      const out = control.run(account, body, m.slice(1).map(decodeURIComponent), url.searchParams);
      sendJson(res, out.status ?? 200, out.body, { 'request-id': requestId });
      return true;
    }
    throw new StripeApiError(404, {
      type: 'invalid_request_error',
      message: `Unknown test control ${req.method} ${url.pathname}. See GET /_local.`,
    });
  } catch (err) {
    if (err instanceof StripeApiError) sendJson(res, err.status, { error: err.body }, { 'request-id': requestId });
    else throw err;
  }
  return true;
}
