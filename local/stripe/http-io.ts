import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readCapped } from '../http/read-capped.ts';
import { StripeApiError } from './errors.ts';

/** Largest request body accepted; Stripe's own limit is far lower than this. */
export const MAX_BODY_BYTES = 1_000_000;

/** The body as text; past the limit Stripe's `invalid_request_error`, status 413. */
export async function readBody(req: IncomingMessage): Promise<string> {
  try {
    return (await readCapped(req, MAX_BODY_BYTES)).toString('utf8');
  } catch (e) {
    if (!(e instanceof BodyTooLargeError)) throw e;
    throw new StripeApiError(413, { type: 'invalid_request_error', message: `${e.message} Send a smaller request.` });
  }
}

/**
 * An answer's JSON text. Compact, where Stripe pretty-prints: indenting costs a third more CPU
 * and bytes per answer, and every client parses it (`stripe-local` prints answers indented).
 */
export function jsonText(body: unknown): string {
  return JSON.stringify(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, jsonText(body), headers);
}

/** Sends JSON already serialized (e.g. a stored idempotent answer). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  const length = String(Buffer.byteLength(text));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': length, ...headers });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}

/** 303 so that a POSTed form is followed by a GET, as Checkout does. */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': 0 });
  res.end();
}
