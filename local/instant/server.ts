// instant-local: an Instant-compatible server for the unmodified Instant SDKs. HTTP for the
// admin SDK and the client's auth calls, WebSocket (`/runtime/session`) for the client's live
// queries and transactions. See README.md here for what it covers and how it differs.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { App, normalizeEmail, type AppConfig, type Mail } from './app.ts';
import type { SchemaJson } from './attrs.ts';
import { DurableLog, type LogRecord } from './durable-log.ts';
import { InstantLocalError, notFound, toInstantError, validationError } from './errors.ts';
import { toJsonTree } from './instaql.ts';
import type { AuthUser, RuleSet } from './permissions.ts';
import { queryParam } from './query-options.ts';
import { RuntimeSession } from './session.ts';

export type InstantLocalOptions = {
  port?: number;
  host?: string;
  /** Where the durable log lives (default `.data/instant`); ignored with `memory`. */
  dataDir?: string;
  memory?: boolean;
  schema?: SchemaJson;
  rules?: RuleSet;
  title?: string;
  /** Delivery of magic-code mails; the default prints them to the console. */
  sendMail?: (m: Mail) => Promise<void>;
  maxBodyBytes?: number;
};

export type InstantLocal = {
  url: string;
  appId: string;
  adminToken: string;
  /** Replace the main app's schema and rules (kept data stays). */
  reload(schema: SchemaJson | undefined, rules: RuleSet | undefined): void;
  close(): Promise<void>;
};

const DEFAULT_MAX_BODY = 1024 * 1024;

export async function startInstantLocal(opts: InstantLocalOptions = {}): Promise<InstantLocal> {
  const apps = new Map<string, App>();
  const sendMail = opts.sendMail ?? (async (m: Mail) => console.log(`[instant-local] magic code for ${m.to}: ${m.code}`));
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;

  let log: DurableLog | null = null;
  let records: LogRecord[] = [];
  if (!opts.memory) {
    ({ log, records } = await DurableLog.open(join(opts.dataDir ?? '.data/instant', 'log.jsonl')));
  }
  const persist = async (r: LogRecord) => {
    if (log) await log.append(r);
  };
  const makeApp = (config: AppConfig) => {
    const app = new App(config, persist, sendMail);
    apps.set(config.id, app);
    return app;
  };

  // Replay: app records first create the apps, then each record goes to its app in order.
  let main: App | undefined;
  for (const r of records) {
    if (r.k === 'app') {
      const cfg = r.config as AppConfig;
      const app = makeApp(r.main ? { ...cfg, schema: opts.schema ?? cfg.schema, rules: opts.rules ?? cfg.rules } : cfg);
      if (r.main) main = app;
    } else apps.get(r.app as string)?.restore(r);
  }
  if (!main) {
    const config: AppConfig = { id: randomUUID(), title: opts.title ?? 'instant-shop (local)', adminToken: randomUUID(), schema: opts.schema, rules: opts.rules };
    main = makeApp(config);
    await persist({ k: 'app', main: true, config: { ...config, schema: undefined, rules: undefined } });
  }
  const mainApp = main;

  const handlers: Record<string, (req: Ctx) => Promise<unknown>> = {
    'POST /runtime/auth/send_magic_code': async (c) => {
      const app = c.appFromBody('app-id');
      await app.sendMagicCode(c.str('email'));
      return { sent: true };
    },
    'POST /runtime/auth/verify_magic_code': async (c) => c.appFromBody('app-id').verifyMagicCode(c.str('email'), c.str('code')),
    'POST /runtime/auth/verify_refresh_token': async (c) => {
      const user = c.appFromBody('app-id').userByRefreshToken(c.str('refresh-token'));
      if (!user) throw notFound('app-user');
      return { user: { ...user, refresh_token: c.str('refresh-token') } };
    },
    'POST /runtime/signout': async (c) => {
      await c.appFromBody('app_id').signOut({ refresh_token: c.str('refresh_token') });
      return {};
    },
    'POST /admin/query': async (c) => {
      const { app, access } = c.admin();
      const q = queryParam(c.body);
      const ruleParams = (q.$$ruleParams as Record<string, unknown>) ?? {};
      const result = app.query(q, { ...access, ruleParams });
      return toJsonTree(result, app.catalog, Boolean(c.body['inference?']));
    },
    'POST /admin/transact': async (c) => {
      const { app, access } = c.admin();
      if (!Array.isArray(c.body.steps)) throw validationError('transact', c.body, ['`steps` must be a list']);
      const txId = await app.transactOps(c.body.steps, Boolean(c.body['throw-on-missing-attrs?']), access);
      return { 'tx-id': txId };
    },
    'POST /admin/magic_code': async (c) => ({ code: c.admin({ strict: true }).app.generateMagicCode(c.str('email')) }),
    'POST /admin/send_magic_code': async (c) => ({ code: await c.admin({ strict: true }).app.sendMagicCode(c.str('email')) }),
    'POST /admin/verify_magic_code': async (c) => c.admin({ strict: true }).app.verifyMagicCode(c.str('email'), c.str('code')),
    'POST /admin/refresh_tokens': async (c) => {
      const { app } = c.admin({ strict: true });
      let user;
      if (typeof c.body.id === 'string') {
        user = app.userById(c.body.id);
        if (!user) throw notFound('app-user');
      } else user = (await app.findOrCreateUser(c.str('email'))).user;
      return { user: { ...user, refresh_token: await app.issueRefreshToken(user.id) } };
    },
    'GET /admin/users': async (c) => ({ user: c.findUser(c.admin({ strict: true }).app) }),
    'DELETE /admin/users': async (c) => {
      const { app } = c.admin({ strict: true });
      const user = c.findUser(app);
      return { deleted: user ? await app.deleteUser(user.id) : null };
    },
    'POST /admin/sign_out': async (c) => {
      await c.admin({ strict: true }).app.signOut(c.body as { email?: string; id?: string; refresh_token?: string });
      return {};
    },
    'POST /dash/apps/ephemeral': async (c) => {
      const title = c.str('title');
      const rules = (c.body.rules as { code?: RuleSet } | undefined)?.code;
      const config: AppConfig = { id: randomUUID(), title, adminToken: randomUUID(), schema: c.body.schema as SchemaJson, rules };
      const app = makeApp(config);
      await persist({ k: 'app', config });
      return { app: { id: app.config.id, title, 'admin-token': app.config.adminToken, created_at: new Date().toISOString() }, expires_ms: 14 * 24 * 3600 * 1000 };
    },
  };

  class Ctx {
    constructor(
      readonly req: IncomingMessage,
      readonly url: URL,
      readonly body: Record<string, unknown>,
    ) {}

    str(name: string): string {
      const v = this.body[name];
      if (typeof v !== 'string' || !v.trim()) {
        throw new InstantLocalError('param-missing', `Missing required parameter: ${name}`, { in: [name] });
      }
      return v;
    }

    appFromBody(field: string): App {
      const id = (this.body[field] as string) ?? this.url.searchParams.get('app_id');
      const app = id ? apps.get(id) : undefined;
      if (!app) throw notFound('app', { 'app-id': id });
      return app;
    }

    /** Admin auth: the app's admin token, or an impersonation header that needs none. */
    admin({ strict = false } = {}): { app: App; access: { admin: boolean; user: AuthUser } } {
      const id = (this.req.headers['app-id'] as string) ?? this.url.searchParams.get('app_id');
      const app = id ? apps.get(id) : undefined;
      if (!app) throw notFound('app', { 'app-id': id });
      const token = (this.req.headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim();
      const asToken = this.req.headers['as-token'] as string | undefined;
      const asGuest = this.req.headers['as-guest'] === 'true';
      const asEmail = this.req.headers['as-email'] as string | undefined;
      if (!strict && asToken) {
        const user = app.userByRefreshToken(asToken);
        if (!user) throw notFound('app-user');
        return { app, access: { admin: false, user } };
      }
      if (!strict && asGuest) return { app, access: { admin: false, user: null } };
      if (token !== app.config.adminToken) {
        throw new InstantLocalError('permission-denied', 'Invalid admin token: pass the app\'s admin token as `Authorization: Bearer <token>`.', { input: 'admin-token', expected: 'admin' }, 401);
      }
      if (!strict && asEmail) {
        const user = app.userByEmail(asEmail);
        if (!user) throw notFound('app-user', { email: normalizeEmail(asEmail) });
        return { app, access: { admin: false, user } };
      }
      return { app, access: { admin: true, user: null } };
    }

    findUser(app: App) {
      const p = this.url.searchParams;
      if (p.get('id')) return app.userById(p.get('id')!);
      if (p.get('email')) return app.userByEmail(p.get('email')!);
      if (p.get('refresh_token')) return app.userByRefreshToken(p.get('refresh_token')!);
      throw new InstantLocalError('param-missing', 'Pass one of id, email or refresh_token.', { in: ['id', 'email', 'refresh_token'] });
    }
  }

  const server = createServer(async (req, res) => {
    cors(res);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handler = handlers[`${req.method} ${url.pathname}`];
    if (!handler) {
      if (req.method === 'GET' && url.pathname === '/') return json(res, 200, { name: 'instant-local', appId: mainApp.config.id });
      return json(res, 404, { type: 'record-not-found', message: `No route ${req.method} ${url.pathname}`, hint: {} });
    }
    try {
      const body = req.method === 'GET' || req.method === 'DELETE' ? {} : await readJson(req, maxBody);
      json(res, 200, await handler(new Ctx(req, url, body)));
    } catch (e) {
      const err = toInstantError(e);
      json(res, err.status, err.toJSON());
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/runtime/session') return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new RuntimeSession(ws, (id) => apps.get(id), url.searchParams.get('app_id'));
      ws.on('message', (data) => void session.receive(data.toString()));
      ws.on('close', () => session.close());
      ws.on('error', () => session.close());
    });
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  let closed = false;

  return {
    url: `http://127.0.0.1:${port}`,
    appId: mainApp.config.id,
    adminToken: mainApp.config.adminToken,
    reload: (schema, rules) => mainApp.reload(schema, rules),
    async close() {
      if (closed) return;
      closed = true;
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log?.close();
    },
  };
}

function cors(res: ServerResponse) {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-headers', '*');
  res.setHeader('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS');
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      throw new InstantLocalError('validation-failed', `Request body is larger than ${max} bytes.`, { 'data-type': 'body', errors: [{ message: 'body too large' }] }, 413);
    }
    chunks.push(chunk as Buffer);
  }
  if (!size) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch {
    throw new InstantLocalError('param-malformed', 'The request body is not a JSON object.', { in: ['body'] });
  }
}
