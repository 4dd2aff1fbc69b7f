// Request parsing and error answers shared by every function: bodies are size-capped and
// validated with zod, and every error is JSON `{error}` with a status and a message that names the fix.
import type { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { checkStartupOnce } from './startup-check.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What a caller hears when the deployment is misconfigured (the details are in the log). */
export const UNAVAILABLE = 'This service is temporarily unavailable; please try again later.';

export const DEFAULT_MAX_BODY = 8 * 1024;

export async function readBody(req: Request, maxBytes = DEFAULT_MAX_BODY): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `Request body is larger than ${maxBytes} bytes.`);
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new HttpError(413, `Request body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson<S extends z.ZodType>(
  req: Request,
  schema: S,
  maxBytes = DEFAULT_MAX_BODY,
): Promise<z.infer<S>> {
  const text = await readBody(req, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body must be JSON (Content-Type: application/json).');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? `\`${issue.path.join('.')}\`: ` : '';
    throw new HttpError(400, `${where}${issue.message}`);
  }
  return parsed.data;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

/** Wraps a handler: known errors become their answers; anything else is a logged 500. */
export function handler(fn: (req: Request) => Promise<Response>): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      checkStartupOnce();
      return await fn(req);
    } catch (e) {
      if (e instanceof HttpError) return json({ error: e.message }, e.status, e.headers);
      if (e instanceof ConfigError || (e as Error)?.name === 'StripeConfigError') {
        // The variable and its fix are for the operator's log; a stranger learns nothing of the setup.
        console.error(`config: ${new URL(req.url).pathname}: ${(e as Error).message}`);
        return json({ error: UNAVAILABLE }, 503, { 'retry-after': '60' });
      }
      console.error(`${new URL(req.url).pathname}: ${(e as Error)?.stack ?? e}`);
      return json({ error: 'Something went wrong on our side; please try again.' }, 500);
    }
  };
}

/**
 * The caller's address as the platform vouches for it, for per-client rate limits. Vercel
 * overwrites x-forwarded-for with the address it accepted the connection from (a client's own
 * value never gets through), and the dev adapter sets it from the socket the same way. No other
 * header is trusted: x-real-ip and the like are whatever the client sent wherever no proxy sets them.
 */
export function clientAddress(req: Request): string {
  return (req.headers.get('x-forwarded-for') ?? '').split(',')[0].trim() || 'unknown';
}
