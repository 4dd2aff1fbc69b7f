import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainStore, type DomainStatus, type LocalDomain } from './domains.ts';
import { MailStore, type MailFilter, type MailMessage } from './mail-store.ts';
import { renderMailboxPage } from './mailbox-page.ts';
import { type FaultConfig } from '../faults/fault-plan.ts';
import { BodyTooLargeError, readCapped } from '../http/read-capped.ts';
import { bodyTooLarge, MAIL_FAULTS, MAX_BODY_BYTES, ResendApi } from './resend-api.ts';

export interface MailboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The key returned for the app's RESEND_API_KEY; any `re_…` key works unless `strictKey`. */
  apiKey?: string;
  strictKey?: boolean;
  /** Domains in Resend's domains API (default: the shop's default sender domain, verified). */
  domains?: { name: string; status: DomainStatus }[];
  /** Injected send faults (off by default); also `POST /_local/faults` at run time. */
  faults?: MailFaults;
  /** Largest request body accepted (Resend's 40 MB by default); past it 413. */
  maxBodyBytes?: number;
}

export type MailFaults = FaultConfig<(typeof MAIL_FAULTS)[number]>;

/** What `deliver` takes: a mail dropped in without HTTP (e.g. by the local Instant server). */
export interface DirectMail {
  to: string | string[];
  subject: string;
  text?: string;
  html?: string;
  from?: string;
}

export interface Mailbox {
  /** Origin; the app's Resend SDK uses it as RESEND_BASE_URL. */
  url: string;
  apiKey: string;
  deliver(mail: DirectMail): MailMessage;
  /** Received mail, newest first, optionally only to one address. */
  messages(filter?: MailFilter): MailMessage[];
  /** The newest matching mail, waiting for it if none has arrived. */
  waitForMessage(filter?: MailFilter): Promise<MailMessage>;
  clear(): void;
  /** Adds a domain to the domains API or changes its status (as Resend's DNS check would). */
  setDomain(name: string, status: DomainStatus): LocalDomain;
  /** Gives a key Resend's "Sending access" permission (true) or "Full access" (false). */
  restrictKey(key: string, sendingOnly: boolean): void;
  /** Replaces the injected faults (`{}` switches them off). */
  setFaults(faults: MailFaults): void;
  close(): Promise<void>;
}

export const DEFAULT_RESEND_KEY = 're_local_mailbox';

/** A control's JSON body (`{}` when empty, `null` when not JSON); past the cap Resend's 413. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = (await readCapped(req, maxBytes)).toString('utf8');
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch {
    return null;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts the Resend-compatible mail catcher on 127.0.0.1. */
export async function startMailbox(options: MailboxOptions = {}): Promise<Mailbox> {
  const apiKey = options.apiKey ?? DEFAULT_RESEND_KEY;
  if (!apiKey.startsWith('re_')) throw new Error('apiKey must start with re_');
  const store = new MailStore();
  const domains = new DomainStore(options.domains);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const api = new ResendApi(store, options.strictKey ? apiKey : null, domains, maxBodyBytes);
  if (options.faults) api.faults.configure(api.faults.schema.parse(options.faults));

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // An unnamed async function: under tsx a named closure per request costs more than the routing.
    (async (): Promise<void> => {
      if (await api.handle(req, res, url)) return;
      if (url.pathname === '/_local/mailbox' && req.method === 'GET') {
        const html = renderMailboxPage(store.list());
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
        return;
      }
      if (url.pathname === '/_local/mailbox/messages') {
        if (req.method === 'GET')
          return json(res, 200, { object: 'list', data: store.list({ to: url.searchParams.get('to') ?? undefined }) });
        if (req.method === 'DELETE') {
          api.clear();
          return json(res, 200, { deleted: store.clear() });
        }
      }
      if (url.pathname === '/_local/faults') {
        if (req.method === 'GET') return json(res, 200, api.faults.snapshot());
        if (req.method === 'POST') {
          const parsed = api.faults.schema.safeParse(await readBody(req, maxBodyBytes));
          if (!parsed.success)
            return json(res, 400, {
              statusCode: 400,
              name: 'validation_error',
              message: `faults: ${parsed.error.message}`,
            });
          api.faults.configure(parsed.data);
          return json(res, 200, api.faults.snapshot());
        }
      }
      json(res, 404, { statusCode: 404, name: 'not_found', message: 'The requested endpoint does not exist.' });
    })().catch((err: unknown) => {
      if (err instanceof BodyTooLargeError && !res.headersSent) return json(res, 413, bodyTooLarge(err));
      console.error('[mailbox] request failed:', err);
      if (!res.headersSent)
        json(res, 500, { statusCode: 500, name: 'application_error', message: 'Internal error in the local mailbox.' });
    });
  });
  // Node's default keep-alive (5 s; `close()` ends open connections): a shorter one tells Node's
  // clients not to reuse connections, so every send would open a new one.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url,
    apiKey,
    deliver: (mail) =>
      store.add({
        from: mail.from ?? 'Local <noreply@localhost>',
        to: Array.isArray(mail.to) ? mail.to : [mail.to],
        cc: [],
        bcc: [],
        reply_to: [],
        subject: mail.subject,
        text: mail.text ?? null,
        html: mail.html ?? null,
        headers: {},
        tags: [],
        source: 'direct',
      }),
    messages: (filter) => store.list(filter),
    waitForMessage: (filter) => store.waitFor(filter),
    clear: () => {
      store.clear();
      api.clear();
    },
    setDomain: (name, status) => domains.set(name, status),
    setFaults: (faults) => api.faults.configure(api.faults.schema.parse(faults)),
    restrictKey: (key, sendingOnly) =>
      void (sendingOnly ? api.sendingOnlyKeys.add(key) : api.sendingOnlyKeys.delete(key)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
