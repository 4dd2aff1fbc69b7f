// Bridges node:http to Web-standard handlers, the way Vercel invokes `api/` functions:
// a `Request` in (raw body untouched, so the webhook can verify Stripe's signature on its bytes),
// a `Response` out, streamed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readCapped } from '../http/read-capped.ts';

/** Address headers a proxy sets: whatever a client sent in them is dropped, as Vercel does. */
const CLIENT_ADDRESS_HEADERS = new Set(['x-forwarded-for', 'x-real-ip', 'x-vercel-forwarded-for', 'forwarded']);

/** Vercel's limit on a function's request body; it answers 413 past it. */
export const MAX_REQUEST_BYTES = 4.5 * 1024 * 1024;

/** Vercel's answer past the limit, in this adapter's `{ error }` body. */
export function tooLarge(res: ServerResponse, e: BodyTooLargeError) {
  if (!res.headersSent) res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: `Request body is larger than ${e.maxBytes} bytes, the most a function accepts.` }));
}

export type WebHandler = (req: Request) => Response | Promise<Response>;

/**
 * The body is read whole before the handler runs, as Vercel hands functions a buffered body (and
 * a Buffer costs far less to wrap than a Node stream turned into a web stream). Call it before
 * any await, so no byte can be missed while a module loads.
 */
export async function toWebRequest(
  req: IncomingMessage,
  origin: string,
  extraQuery: Record<string, string> = {},
): Promise<Request> {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const body = hasBody ? await readCapped(req, MAX_REQUEST_BYTES) : undefined;
  const url = new URL(req.url ?? '/', origin);
  for (const [k, v] of Object.entries(extraQuery)) url.searchParams.set(k, v);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (CLIENT_ADDRESS_HEADERS.has(k)) continue;
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (v !== undefined) headers.set(k, v);
  }
  // As on Vercel, the caller's address arrives in x-forwarded-for, set from the connection and
  // never from what the caller sent (rate limits key on it).
  if (req.socket.remoteAddress) headers.set('x-forwarded-for', req.socket.remoteAddress);
  return new Request(url, { method: req.method, headers, body: body as Uint8Array<ArrayBuffer> | undefined });
}

export async function sendWebResponse(res: ServerResponse, response: Response) {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    if (k === 'set-cookie') return;
    headers[k] = v;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  // Chunk by chunk, waiting for the socket when it is full, so a long download never piles up in memory.
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return void (await reader.cancel());
      if (!res.write(value)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
    }
  } catch (e) {
    res.destroy(e as Error);
    throw e;
  }
  res.end();
}
