import { createHash } from 'node:crypto';
import { FaultPlan, pause } from '../faults/fault-plan.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { BodyTooLargeError, readCapped } from '../http/read-capped.ts';
import type { DomainStore } from './domains.ts';
import type { MailMessage, MailStore } from './mail-store.ts';

/** Resend's error body: `{ statusCode, name, message }`. */
export interface ResendError {
  statusCode: number;
  name: string;
  message: string;
}

const addressList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(50)]);

const emailSchema = z
  .object({
    from: z.string().min(1),
    to: addressList,
    subject: z.string().min(1),
    html: z.string().optional(),
    text: z.string().optional(),
    cc: addressList.optional(),
    bcc: addressList.optional(),
    reply_to: addressList.optional(),
    headers: z.record(z.string(), z.string()).optional(),
    tags: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    attachments: z.array(z.unknown()).optional(),
    scheduled_at: z.string().optional(),
    template: z.unknown().optional(),
    topic_id: z.string().optional(),
  })
  .refine((e) => e.html !== undefined || e.text !== undefined, {
    message: 'Missing `html` or `text` field.',
  });

type EmailInput = z.infer<typeof emailSchema>;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function toMail(e: EmailInput): Omit<MailMessage, 'id' | 'created_at' | 'magic_code'> {
  return {
    from: e.from,
    to: list(e.to),
    cc: list(e.cc),
    bcc: list(e.bcc),
    reply_to: list(e.reply_to),
    subject: e.subject,
    text: e.text ?? null,
    html: e.html ?? null,
    headers: e.headers ?? {},
    tags: e.tags ?? [],
    source: 'api',
  };
}

class HttpError extends Error {
  constructor(readonly error: ResendError) {
    super(error.message);
  }
}

function validation(issue: z.core.$ZodIssue): HttpError {
  const field = issue.path.join('.');
  const message = issue.code === 'custom' ? issue.message : `Invalid \`${field}\` field: ${issue.message}`;
  return new HttpError({ statusCode: 422, name: 'validation_error', message });
}

export const MAIL_FAULTS = ['fail', 'hang'] as const;

function hang(req: IncomingMessage, res: ServerResponse, ms: number): void {
  req.resume();
  const t = setTimeout(() => res.socket?.destroy(), ms).unref();
  res.once('close', () => clearTimeout(t));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Resend takes emails of up to 40 MB, attachments included. */
export const MAX_BODY_BYTES = 40 * 1024 * 1024;

/** Resend's answer to a body past the cap. */
export function bodyTooLarge(e: BodyTooLargeError): ResendError {
  return { statusCode: 413, name: 'validation_error', message: `${e.message} Send smaller emails or attachments.` };
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readCapped(req, maxBytes);
  } catch (e) {
    throw e instanceof BodyTooLargeError ? new HttpError(bodyTooLarge(e)) : e;
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HttpError({ statusCode: 422, name: 'validation_error', message: 'The request body must be valid JSON.' });
  }
}

interface IdempotentEntry {
  fingerprint: string;
  status: number;
  body: unknown;
}

/**
 * The slice of Resend's HTTP API the app uses: `POST /emails`,
 * `POST /emails/batch` and `GET /emails/{id}`, with Bearer `re_…` auth and
 * `Idempotency-Key` (same key and body → same answer, no second mail), and
 * `GET /domains`, `GET /domains/{id}` (refused to keys that may only send).
 */
export class ResendApi {
  private idempotent = new Map<string, IdempotentEntry>();
  /** Keys made with Resend's "Sending access" permission. */
  readonly sendingOnlyKeys = new Set<string>();
  /** Sends that fail (500 before sending) or hang (sent, answer lost); off by default. */
  readonly faults = new FaultPlan(MAIL_FAULTS, { hangMs: 30_000 });

  constructor(
    private readonly store: MailStore,
    private readonly apiKey: string | null,
    private readonly domains: DomainStore,
    private readonly maxBodyBytes = MAX_BODY_BYTES,
  ) {}

  clear(): void {
    this.idempotent.clear();
  }

  /** Returns false when the path is not part of the API. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname === '/domains' || url.pathname.startsWith('/domains/')) {
      this.handleDomains(req, res, url);
      return true;
    }
    const isSend = url.pathname === '/emails' || url.pathname === '/emails/batch';
    const get = /^\/emails\/([^/]+)$/.exec(url.pathname);
    if (!isSend && !get) return false;
    try {
      this.authenticate(req.headers.authorization);
      if (req.method === 'GET' && get && url.pathname !== '/emails/batch') {
        const mail = this.store.get(decodeURIComponent(get[1]));
        if (!mail) throw new HttpError({ statusCode: 404, name: 'not_found', message: 'Email not found' });
        send(res, 200, { object: 'email', ...mail, last_event: 'delivered' });
        return true;
      }
      if (req.method !== 'POST' || !isSend) {
        throw new HttpError({
          statusCode: 405,
          name: 'method_not_allowed',
          message: 'Method is not allowed for the requested path.',
        });
      }
      const body = await readJson(req, this.maxBodyBytes);
      const key = (req.headers['idempotency-key'] as string | undefined)?.trim();
      const fingerprint = createHash('sha256')
        .update(`${url.pathname}\n${JSON.stringify(body)}`)
        .digest('hex');
      if (key) {
        const seen = this.idempotent.get(key);
        if (seen && seen.fingerprint !== fingerprint) {
          throw new HttpError({
            statusCode: 409,
            name: 'invalid_idempotent_request',
            message:
              'Same idempotency key used with a different request payload. Change your idempotency key or payload.',
          });
        }
        if (seen) {
          send(res, seen.status, seen.body);
          return true;
        }
      }
      const fault = this.faults.active
        ? this.faults.choose(url.pathname, `${url.pathname} ${key ?? fingerprint}`)
        : null;
      await pause(this.faults.latencyMs);
      if (fault === 'fail') {
        throw new HttpError({
          statusCode: 500,
          name: 'application_error',
          message: 'Internal server error (injected fault).',
        });
      }
      const answer = url.pathname === '/emails' ? this.sendOne(body) : this.sendBatch(body);
      if (key) this.idempotent.set(key, { fingerprint, status: 200, body: answer });
      // `hang`: the mail is sent, the answer never arrives.
      if (fault === 'hang') hang(req, res, this.faults.hangMs);
      else send(res, 200, answer);
    } catch (err) {
      if (err instanceof HttpError) send(res, err.error.statusCode, err.error);
      else throw err;
    }
    return true;
  }

  private handleDomains(req: IncomingMessage, res: ServerResponse, url: URL): void {
    try {
      const key = this.authenticate(req.headers.authorization);
      if (this.sendingOnlyKeys.has(key)) {
        throw new HttpError({
          statusCode: 401,
          name: 'restricted_api_key',
          message: 'This API key is restricted to only send emails',
        });
      }
      if (req.method !== 'GET') {
        throw new HttpError({
          statusCode: 405,
          name: 'method_not_allowed',
          message: 'Method is not allowed for the requested path.',
        });
      }
      const one = /^\/domains\/([^/]+)$/.exec(url.pathname);
      if (one) {
        const domain = this.domains.get(decodeURIComponent(one[1]));
        if (!domain) throw new HttpError({ statusCode: 404, name: 'not_found', message: 'Domain not found' });
        send(res, 200, domain);
        return;
      }
      if (url.pathname !== '/domains') {
        throw new HttpError({ statusCode: 404, name: 'not_found', message: 'The requested endpoint does not exist.' });
      }
      const limit = url.searchParams.get('limit');
      const n = limit === null ? undefined : Number(limit);
      if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 100)) {
        throw new HttpError({
          statusCode: 422,
          name: 'validation_error',
          message: 'The `limit` parameter must be between 1 and 100.',
        });
      }
      send(res, 200, this.domains.list(n));
    } catch (err) {
      if (err instanceof HttpError) send(res, err.error.statusCode, err.error);
      else throw err;
    }
  }

  private authenticate(header: string | undefined): string {
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!key) {
      throw new HttpError({
        statusCode: 401,
        name: 'missing_api_key',
        message:
          'Missing API key in the authorization header. Include the following header in your request: Authorization: Bearer YOUR_API_KEY',
      });
    }
    if (!key.startsWith('re_') || (this.apiKey !== null && key !== this.apiKey)) {
      throw new HttpError({ statusCode: 401, name: 'invalid_api_key', message: 'API key is invalid' });
    }
    return key;
  }

  private sendOne(body: unknown): { id: string } {
    const parsed = emailSchema.safeParse(body);
    if (!parsed.success) throw validation(parsed.error.issues[0]);
    return { id: this.store.add(toMail(parsed.data)).id };
  }

  private sendBatch(body: unknown): { data: { id: string }[] } {
    const parsed = z.array(emailSchema).min(1).max(100).safeParse(body);
    if (!parsed.success) throw validation(parsed.error.issues[0]);
    // Validate all first: a strict batch sends nothing when one mail is invalid.
    return { data: parsed.data.map((e) => ({ id: this.store.add(toMail(e)).id })) };
  }
}
