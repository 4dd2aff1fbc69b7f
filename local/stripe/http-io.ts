import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body accepted; Stripe's own limit is far lower than this. */
const MAX_BODY_BYTES = 1_000_000;

// Listeners rather than `for await`: an async iterator per request costs more than the usual empty GET body.
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (buf: Buffer) => {
      size += buf.length;
      // Past the limit the rest is drained and dropped.
      if (size <= MAX_BODY_BYTES) chunks.push(buf);
      else reject(new Error('request body too large'));
    });
    req.once('error', reject);
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
  });
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
