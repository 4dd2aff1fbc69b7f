import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalAccount } from './account.ts';
import { authenticateRequest } from './auth.ts';
import { StripeApiError, invalidRequest } from './errors.ts';
import { applyExpand, type Expanders } from './expand.ts';
import { parseForm, type FormObject } from './form-encoding.ts';
import { pause } from '../faults/fault-plan.ts';
import { faultAnswer } from './faults.ts';
import { jsonText, readBody, sendJsonText } from './http-io.ts';
import { randomToken, requestKey } from './ids.ts';
import { expandPaths } from './params.ts';
import type { Router } from './router.ts';

export interface ApiHandlerOptions {
  router: Router;
  expanders: Expanders;
  /** Only this key is accepted when set; otherwise any `sk_test_…` key. */
  requiredKey: string | null;
}

function errorText(err: StripeApiError): string {
  return jsonText({ error: err.body });
}

/**
 * Names a request the same way every run: the path (whose ids are derived, see ids.ts) and the
 * caller's idempotency key, or else the stable content of its params. The SDK's own retry keys
 * are random, so they are passed over; a retry is the next attempt of the same identity.
 */
function faultIdentity(method: string, pathname: string, params: FormObject, key: string | null): string {
  const own = key && !key.startsWith('stripe-node-retry-') ? key : null;
  return `${method} ${pathname} ${own ?? requestKey(pathname, params)}`;
}

/** One request's answer: its headers, and whether an injected hang swallows it. */
class Reply {
  hang = false;

  constructor(
    private account: LocalAccount,
    private req: IncomingMessage,
    private res: ServerResponse,
    private headers: Record<string, string>,
  ) {}

  send(status: number, text: string, extra?: Record<string, string>): void {
    if (this.hang) this.account.faults.hang(this.req, this.res);
    else sendJsonText(this.res, status, text, extra ? { ...this.headers, ...extra } : this.headers);
  }
}

/** Serves `/v1/*` with Stripe's wire conventions (auth, form bodies, idempotency, expand). */
export async function handleApi(
  account: LocalAccount,
  options: ApiHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const requestId = `req_${randomToken(14)}`;
  const method = req.method ?? 'GET';
  const idempotencyKey = (req.headers['idempotency-key'] as string | undefined)?.trim() || null;
  const headers: Record<string, string> = {
    'request-id': requestId,
    'stripe-version': (req.headers['stripe-version'] as string | undefined) ?? account.apiVersion,
  };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const reply = new Reply(account, req, res, headers);

  let params: FormObject = {};
  try {
    authenticateRequest(req.headers.authorization, options.requiredKey);
    const body = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    if (
      body &&
      method !== 'GET' &&
      !contentType.includes('application/x-www-form-urlencoded') &&
      !contentType.includes('multipart')
    ) {
      if (contentType.includes('json')) {
        throw invalidRequest(
          'Invalid request: Stripe expects form-encoded bodies (application/x-www-form-urlencoded), not JSON.',
        );
      }
    }
    params = { ...parseForm(url.search.slice(1)), ...parseForm(method === 'GET' ? '' : body) };

    const faults = account.faults.api;
    if (faults.active) {
      const fault = faults.choose(url.pathname, faultIdentity(method, url.pathname, params, idempotencyKey));
      await pause(faults.latencyMs);
      if (fault === 'error_500' || fault === 'rate_limit_429') {
        const answer = faultAnswer(fault);
        reply.send(answer.status, jsonText(answer.body), answer.headers);
        return;
      }
      // A hang runs the request, then its answer never arrives: the caller cannot tell whether it ran.
      reply.hang = fault === 'hang';
    }

    if (idempotencyKey && method === 'POST') {
      if (idempotencyKey.length > 255)
        throw invalidRequest('Idempotency-Key must be at most 255 characters.', 'Idempotency-Key');
      const replay = account.idempotency.lookup(idempotencyKey, method, url.pathname, params);
      if (replay) {
        reply.send(replay.status, replay.text, { 'idempotent-replayed': 'true', 'original-request': replay.requestId });
        return;
      }
    }

    const match = options.router.match(method, url.pathname);
    if (match === null || match === 'method') {
      throw new StripeApiError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${url.pathname}). The local Stripe stand-in does not implement it; see local/stripe/README.md.`,
      });
    }
    const result = match.handler({
      account,
      params,
      path: match.path,
      request: { id: requestId, idempotency_key: idempotencyKey },
      url: url.pathname,
    });
    // Serialized now, before anything can change the store objects the answer shares.
    const text = jsonText(
      applyExpand(result as Record<string, unknown>, expandPaths(params), account, options.expanders),
    );
    if (idempotencyKey && method === 'POST') {
      account.idempotency.remember(idempotencyKey, method, url.pathname, params, { status: 200, text, requestId });
    }
    reply.send(200, text);
  } catch (err) {
    if (err instanceof StripeApiError) {
      // Stripe saves the outcome of requests that started executing, errors included,
      // but not validation failures, which a corrected retry may reuse the key for, nor refusals
      // before it started (bad key, oversized body).
      const saved =
        err.status !== 401 &&
        err.status !== 413 &&
        err.body.type !== 'idempotency_error' &&
        !err.body.code?.startsWith('parameter_');
      const text = errorText(err);
      if (idempotencyKey && method === 'POST' && saved) {
        account.idempotency.remember(idempotencyKey, method, url.pathname, params, {
          status: err.status,
          text,
          requestId,
        });
      }
      reply.send(err.status, text);
      return;
    }
    console.error(`[stripe-local] ${method} ${url.pathname} failed:`, err);
    reply.send(
      500,
      jsonText({ error: { type: 'api_error', message: 'An unexpected error occurred in the local Stripe stand-in.' } }),
    );
  }
}
