// instant-local: an Instant-compatible server for the unmodified Instant SDKs. HTTP for the
// admin SDK and the client's auth calls, WebSocket (`/runtime/session`) for the client's live
// queries and transactions. See README.md here for what it covers and how it differs.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { App, normalizeEmail, type AppConfig, type Mail } from './app.ts';
import type { SchemaJson } from './attrs.ts';
import { dashRoutes } from './dash-routes.ts';
import { DurableLog, type LogRecord } from './durable-log.ts';
import { InstantLocalError, notFound, toInstantError, validationError } from './errors.ts';
import * as P from './params.ts';
import { toJsonTree } from './instaql.ts';
import type { AuthUser, RuleSet } from './permissions.ts';
import { assertValidRules } from './rule-validation.ts';
import { queryParam } from './query-options.ts';
import { RuntimeSession } from './session.ts';
import { pause, seededUuid, stableText, type FaultConfig, type FaultPlan } from '../faults/fault-plan.ts';
import { BodyAbortedError, BodyTooLargeError, readCapped } from '../http/read-capped.ts';
import { LostAnswer, newInstantFaults, socketIdentity, transactIdentity, type InstantFault } from './faults.ts';

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
  /** Injected faults for the main app (off by default); also `POST /_local/faults` with its admin token. */
  faults?: FaultConfig<InstantFault>;
  /** Seeds the ids of users made by email (random by default), so one seed gives the same ids, and faults, every run. */
  seed?: string;
};

export type InstantLocal = {
  url: string;
  appId: string;
  adminToken: string;
  /** Replace the main app's schema and rules (kept data stays). */
  reload(schema: SchemaJson | undefined, rules: RuleSet | undefined): void;
  /** HTTP requests received so far, counted by `METHOD /path` (e.g. `POST /admin/query`), for tests and benches that count calls. */
  requestCounts(): Record<string, number>;
  close(): Promise<void>;
};

const DEFAULT_MAX_BODY = 1024 * 1024;

export async function startInstantLocal(opts: InstantLocalOptions = {}): Promise<InstantLocal> {
  const apps = new Map<string, App>();
  const sendMail =
    opts.sendMail ?? (async (m: Mail) => console.log(`[instant-local] magic code for ${m.to}: ${m.code}`));
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;

  // Refused before anything is opened, so a bad rules file leaves nothing behind.
  if (opts.rules) assertValidRules(opts.rules);
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
    const seed = opts.seed;
    if (seed !== undefined) app.newUserId = (email) => (email ? seededUuid(seed, `user ${email}`) : randomUUID());
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
    const config: AppConfig = {
      id: randomUUID(),
      title: opts.title ?? 'instant-shop (local)',
      adminToken: randomUUID(),
      schema: opts.schema,
      rules: opts.rules,
    };
    main = makeApp(config);
    await persist({ k: 'app', main: true, config: { ...config, schema: undefined, rules: undefined } });
  }
  const mainApp = main;

  const appById = (id: string) => {
    const app = apps.get(id);
    if (!app) throw notFound('app', { args: [{ id }] });
    return app;
  };

  const requests = new Map<string, number>();
  const faultPlans = new Map<string, FaultPlan<InstantFault>>();
  // Slow requests not yet finished, so a test can wait for a late commit without sleeping.
  const slowInFlight = new Map<string, number>();
  const settle = (app: App, fault: InstantFault | null) => {
    if (fault === 'slow') slowInFlight.set(app.config.id, (slowInFlight.get(app.config.id) ?? 1) - 1);
  };
  const faultsOf = (app: App) => {
    let plan = faultPlans.get(app.config.id);
    if (!plan) faultPlans.set(app.config.id, (plan = newInstantFaults()));
    return plan;
  };
  /**
   * The injected fault for one request of `app` (`null` when faults are off or none is drawn).
   * `request` gives its identity and body, worked out only when faults are on.
   */
  const drawFault = async (
    app: App,
    path: string,
    request: () => [identity: string, body: string],
  ): Promise<InstantFault | null> => {
    const plan = faultPlans.get(app.config.id);
    if (!plan?.active) return null;
    const [identity, body] = request();
    const fault = plan.choose(path, `${path} ${identity}`, body);
    await pause(plan.latencyMs);
    if (fault === 'slow') {
      slowInFlight.set(app.config.id, (slowInFlight.get(app.config.id) ?? 0) + 1);
      await pause(plan.hangMs);
    }
    if (fault === 'refuse')
      throw new InstantLocalError(
        'timeout',
        'The transaction was refused (injected fault); nothing was written.',
        {},
        503,
      );
    return fault;
  };
  let dropSockets: (app: App) => number = () => 0;
  if (opts.faults) faultsOf(mainApp).configure(faultsOf(mainApp).schema.parse(opts.faults));

  const handlers: Record<string, (req: Ctx) => Promise<unknown>> = {
    // Test controls for faults; each app's own admin token is required.
    'GET /_local/faults': async (c) => {
      const app = c.adminApp();
      return { ...faultsOf(app).snapshot(), slow_in_flight: slowInFlight.get(app.config.id) ?? 0 };
    },
    'POST /_local/faults': async (c) => {
      const plan = faultsOf(c.adminApp());
      const parsed = plan.schema.safeParse(c.body);
      if (!parsed.success)
        throw validationError(
          'faults',
          c.body,
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        );
      plan.configure(parsed.data);
      return plan.snapshot();
    },
    'POST /_local/faults/drop-sockets': async (c) => ({ dropped: dropSockets(c.adminApp()) }),
    // Not an Instant route: the request counters, for benches that count calls (admin token only).
    'GET /_local/request-counts': async (c) => {
      c.adminApp();
      return { counts: Object.fromEntries(requests) };
    },
    'POST /runtime/auth/send_magic_code': async (c) => {
      const email = c.p.required(['body', 'email'], P.email);
      await appById(c.p.required(['body', 'app-id'], P.uuid)).sendMagicCode(email);
      return { sent: true };
    },
    'POST /runtime/auth/verify_magic_code': async (c) => {
      const { app, email, code, guestId } = c.magicCodeParams(() => appById(c.p.required(['body', 'app-id'], P.uuid)));
      return app.verifyMagicCode(email, code, { extraFields: c.body['extra-fields'], guestId });
    },
    'POST /runtime/auth/sign_in_guest': async (c) =>
      appById(c.p.required(['body', 'app-id'], P.uuid)).signInAsGuest(c.body['extra-fields'], false),
    'POST /admin/sign_in_guest': async (c) => c.adminApp().signInAsGuest(c.body['extra-fields'], true),
    'POST /runtime/auth/verify_refresh_token': async (c) => {
      const token = c.p.required(['body', 'refresh-token'], P.uuid);
      const user = appById(c.p.required(['body', 'app-id'], P.uuid)).userByRefreshToken(token);
      if (!user) throw notFound('app-user');
      return { user: { ...user, refresh_token: token } };
    },
    'POST /runtime/signout': async (c) => {
      const app = appById(c.p.required(['body', 'app_id'], P.uuid));
      await app.signOut({ refresh_token: c.p.required(['body', 'refresh_token'], P.uuid) });
      return {};
    },
    'POST /admin/query': async (c) => {
      const { app, access } = c.perms();
      const query = c.body.query ?? null;
      settle(app, await drawFault(app, '/admin/query', () => [stableText(query), JSON.stringify(query)]));
      const q = queryParam(c.body);
      const ruleParams = (q.$$ruleParams as Record<string, unknown>) ?? {};
      const result = app.query(q, { ...access, ruleParams });
      return toJsonTree(result, app.catalog, Boolean(c.body['inference?']));
    },
    'POST /admin/transact': async (c) => {
      const { app, access } = c.perms();
      if (!Array.isArray(c.body.steps)) throw validationError('transact', c.body, ['`steps` must be a list']);
      // Admin routes show CEL's own error text, as Instant's do; rules see the caller's origin and ip.
      const request = { origin: c.req.headers.origin ?? null, ip: c.req.socket.remoteAddress ?? null };
      const steps = c.body.steps;
      const fault = await drawFault(app, '/admin/transact', () => [transactIdentity(steps), JSON.stringify(steps)]);
      let txId: unknown;
      try {
        txId = await app.transactOps(c.body.steps, Boolean(c.body['throw-on-missing-attrs?']), {
          ...access,
          showCelErrors: true,
          request,
        });
      } finally {
        settle(app, fault);
      }
      if (fault === 'lost_answer') throw new LostAnswer();
      return { 'tx-id': txId };
    },
    'POST /admin/magic_code': async (c) => ({
      code: c.adminApp().generateMagicCode(c.p.required(['body', 'email'], P.email)),
    }),
    'POST /admin/send_magic_code': async (c) => {
      const app = c.adminApp();
      return { code: await app.sendMagicCode(c.p.required(['body', 'email'], P.email)) };
    },
    'POST /admin/verify_magic_code': async (c) => {
      const app = c.adminApp();
      const { email, code, guestId } = c.magicCodeParams(() => app);
      return app.verifyMagicCode(email, code, { extraFields: c.body['extra-fields'], admin: true, guestId });
    },
    'POST /admin/refresh_tokens': async (c) => {
      const app = c.adminApp();
      const email = c.p.optional(['body', 'email'], P.email);
      const id = c.p.optional(['body', 'id'], P.uuid);
      if (!email && !id) throw validationError('body', c.body, ['Please provide an `email` or `id`']);
      // As upstream: the email finds the user if both are given; the id names a new one.
      return app.createToken({ email, id }, c.body['extra-fields']);
    },
    'GET /admin/users': async (c) => ({ user: c.findUser(c.adminApp()) }),
    'DELETE /admin/users': async (c) => {
      const app = c.adminApp();
      const user = c.findUser(app);
      return { deleted: user ? await app.deleteUser(user.id) : null };
    },
    'POST /admin/sign_out': async (c) => {
      const app = c.adminApp();
      const b = c.body;
      if (b.id) await app.signOut({ id: c.p.required(['body', 'id'], P.uuid) });
      else if (b.email) await app.signOut({ email: c.p.required(['body', 'email'], P.email) });
      else if (b.refresh_token) await app.signOut({ refresh_token: c.p.required(['body', 'refresh_token'], P.uuid) });
      else throw validationError('body', b, ['Please provide an `id`, `email`, or `refresh_token`']);
      return { ok: true };
    },
    'POST /dash/apps/ephemeral': async (c) => {
      const title = c.p.required(['body', 'title'], P.nonBlank);
      const rules = (c.body.rules as { code?: RuleSet } | undefined)?.code;
      const config: AppConfig = {
        id: randomUUID(),
        title,
        adminToken: randomUUID(),
        schema: c.body.schema as SchemaJson,
        rules,
      };
      const app = makeApp(config);
      await persist({ k: 'app', config });
      return {
        app: { id: app.config.id, title, 'admin-token': app.config.adminToken, created_at: new Date().toISOString() },
        expires_ms: 14 * 24 * 3600 * 1000,
      };
    },
  };

  const dash = dashRoutes({ apps, persist });

  // Where the admin API takes the app id: the `app-id` header, else `?app_id=` (the admin SDK sends both).
  const ADMIN_APP_ID: P.ParamPath[] = [
    ['headers', 'app-id'],
    ['query-params', 'app_id'],
  ];

  class Ctx {
    readonly p: P.Params;

    constructor(
      readonly req: IncomingMessage,
      readonly url: { pathname: string; searchParams: URLSearchParams },
      readonly body: Record<string, unknown>,
    ) {
      this.p = new P.Params(([where, name]) => {
        if (where === 'body') return this.body[name];
        if (where === 'headers') return this.req.headers[name];
        return this.url.searchParams.get(name) ?? undefined;
      });
    }

    /** The body of a code check: `email`, `code`, and the signed-in user's `refresh-token` (must be live). */
    magicCodeParams(appOf: () => App) {
      const email = this.p.required(['body', 'email'], P.email);
      const code = this.p.required(['body', 'code'], P.trimmed);
      const app = appOf();
      const token = this.p.optional(['body', 'refresh-token'], P.uuid);
      const current = token ? app.userByRefreshToken(token) : undefined;
      if (current === null) throw notFound('app-user');
      // Only a guest's token upgrades it; any other user's token is ignored, as upstream does.
      return { app, email, code, guestId: current?.type === 'guest' ? current.id : undefined };
    }

    /**
     * The app whose admin token this request carries (`Authorization: Bearer <token>`), as
     * Instant's `req->app-id-authed!`: a wrong token or an unknown app is `record-not-found`.
     */
    adminApp(): App {
      const appId = this.p.some(ADMIN_APP_ID, P.uuid);
      const token = this.p.required(['headers', 'authorization'], (v) =>
        typeof v === 'string' ? P.uuid(v.split('Bearer ').at(-1)!.trim()) : null,
      );
      const app = apps.get(appId);
      if (!app || !timingSafeEqualStr(token, app.config.adminToken.toLowerCase())) {
        // Upstream's hint also echoes the token; it is left out here so no secret is sent back.
        throw notFound('app-admin-token', {
          args: [{ 'app-id': appId }],
          message: 'This admin token may be expired or invalid. Or you may have provided an incorrect app ID.',
        });
      }
      return app;
    }

    /** Query/transact access (Instant's `get-perms!`): impersonation headers, else the admin token. */
    perms(): { app: App; access: { admin: boolean; user: AuthUser } } {
      const asToken = this.req.headers['as-token'] as string | undefined;
      const asEmail = this.req.headers['as-email'] as string | undefined;
      const asGuest = this.req.headers['as-guest'] as string | undefined;
      if (asToken) {
        const app = appById(this.p.some(ADMIN_APP_ID, P.uuid));
        const token = P.uuid(asToken);
        if (!token) throw P.paramMalformed(['asUser', 'token'], asToken);
        const user = app.userByRefreshToken(token);
        if (!user) throw notFound('app-user');
        return { app, access: { admin: false, user } };
      }
      if (asEmail) {
        const app = this.adminApp();
        const user = app.userByEmail(asEmail);
        if (!user) throw notFound('app-user', { email: normalizeEmail(asEmail) });
        return { app, access: { admin: false, user } };
      }
      if (asGuest) return { app: appById(this.p.some(ADMIN_APP_ID, P.uuid)), access: { admin: false, user: null } };
      return { app: this.adminApp(), access: { admin: true, user: null } };
    }

    /** `GET`/`DELETE /admin/users`: by `email`, else `refresh_token`, else `id`, as upstream checks them. */
    findUser(app: App) {
      const q = this.url.searchParams;
      if (q.get('email')) return app.userByEmail(this.p.required(['params', 'email'], P.email));
      if (q.get('refresh_token')) return app.userByRefreshToken(this.p.required(['params', 'refresh_token'], P.uuid));
      if (q.get('id')) return app.userById(this.p.required(['params', 'id'], P.uuid));
      throw validationError('params', Object.fromEntries(q), ['Please provide a user id, email, or refresh_token']);
    }
  }

  const server = createServer(async (req, res) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
    const url = requestTarget(req.url ?? '/');
    const key = `${req.method} ${url.pathname}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    const handler = handlers[key] ?? dash(req.method, url.pathname);
    if (!handler) {
      if (req.method === 'GET' && url.pathname === '/')
        return json(res, 200, { name: 'instant-local', appId: mainApp.config.id });
      return json(res, 404, { type: 'record-not-found', message: `No route ${req.method} ${url.pathname}`, hint: {} });
    }
    try {
      const body = req.method === 'GET' || req.method === 'DELETE' ? {} : await readJson(req, maxBody);
      json(res, 200, await handler(new Ctx(req, url, body)));
    } catch (e) {
      // The write landed; the caller sees a dropped connection, as when a network path fails.
      // A body cut short has no one left to answer.
      if (e instanceof LostAnswer || e instanceof BodyAbortedError) return void req.socket.destroy();
      const err = toInstantError(e);
      json(res, err.status, err.toJSON());
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody });
  const sockets = new Set<{ ws: import('ws').WebSocket; appId: string | null; ready: boolean }>();
  dropSockets = (app) => {
    let n = 0;
    for (const s of sockets) {
      if (s.appId !== app.config.id || !s.ready) continue;
      s.ws.terminate();
      n++;
    }
    return n;
  };
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/runtime/session') return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const request = { origin: req.headers.origin ?? null, ip: req.socket.remoteAddress ?? null };
      const appId = url.searchParams.get('app_id');
      const session = new RuntimeSession(ws, (id) => apps.get(id), appId, request);
      const entry = { ws, appId, ready: false };
      sockets.add(entry);
      ws.on('message', (data) => {
        const text = data.toString();
        const op = /"op"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? 'unknown';
        const app = appId ? apps.get(appId) : undefined;
        const plan = app && faultPlans.get(app.config.id);
        // Only sockets past `init` are dropped: the SDK falls back to SSE after a socket that never
        // answered, and this stand-in has no `/runtime/sse`. A dropped socket loses the message;
        // the client reconnects and resends what is pending.
        if (entry.ready && plan?.active && plan.choose(`ws:${op}`, socketIdentity(op, text), text) === 'drop_socket') {
          return void ws.terminate();
        }
        void session.receive(text).then(() => {
          if (op === 'init') entry.ready = true;
        });
      });
      ws.on('close', () => {
        session.close();
        sockets.delete(entry);
      });
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
    requestCounts: () => Object.fromEntries(requests),
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

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
};
// Every answer's headers in one object: one writeHead instead of a setHeader each.
const JSON_HEADERS = { ...CORS, 'content-type': 'application/json' };

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, JSON_HEADERS).end(JSON.stringify(body));
}

/** A request's path and query: plain paths (the SDKs' routes) are split by hand, anything else goes through URL. */
function requestTarget(raw: string): { pathname: string; searchParams: URLSearchParams } {
  const m = PLAIN_TARGET.exec(raw);
  return m ? new PlainTarget(m[1], m[2] ?? '') : new URL(raw, 'http://localhost');
}

class PlainTarget {
  private params?: URLSearchParams;

  constructor(
    readonly pathname: string,
    private readonly query: string,
  ) {}

  get searchParams(): URLSearchParams {
    return (this.params ??= new URLSearchParams(this.query));
  }
}
// A path URL would leave as it is (no dot segments, escapes, or a leading `//`) and a query without a
// fragment. Each segment but the last ends in its `/`, so a segment splits one way only (linear time).
const PLAIN_TARGET = /^(\/(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]*)(?:\?([^#]*))?$/;

/** The body as a JSON object; past `max` bytes Instant's validation error with status 413. */
async function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  let bytes: Buffer;
  try {
    bytes = await readCapped(req, max);
  } catch (e) {
    if (!(e instanceof BodyTooLargeError)) throw e;
    const hint = { 'data-type': 'body', errors: [{ message: 'body too large' }] };
    throw new InstantLocalError('validation-failed', e.message, hint, 413);
  }
  if (!bytes.length) return {};
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new InstantLocalError('param-malformed', 'The request body is not a JSON object.', { in: ['body'] });
  }
}

function timingSafeEqualStr(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
