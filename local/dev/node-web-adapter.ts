// Bridges node:http to Web-standard handlers, the way Vercel invokes `api/` functions:
// a `Request` in (raw body untouched, so the webhook can verify Stripe's signature on its bytes),
// a `Response` out, streamed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** Address headers a proxy sets: whatever a client sent in them is dropped, as Vercel does. */
const CLIENT_ADDRESS_HEADERS = new Set(['x-forwarded-for', 'x-real-ip', 'x-vercel-forwarded-for', 'forwarded']);

export type WebHandler = (req: Request) => Response | Promise<Response>;

export function toWebRequest(req: IncomingMessage, origin: string, extraQuery: Record<string, string> = {}): Request {
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
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    // @ts-expect-error Node's fetch needs this to stream a request body
    duplex: 'half',
  });
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
  await new Promise<void>((resolve, reject) => {
    Readable.fromWeb(response.body as any)
      .on('error', reject)
      .pipe(res)
      .on('finish', resolve)
      .on('error', reject);
  });
}
