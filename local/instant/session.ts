// One WebSocket client of the runtime protocol (`/runtime/session`): init, add-query,
// remove-query, transact; `refresh-ok` pushed when a commit (by anyone) changes what one of its
// queries returns. Errors go to this client only, in Instant's shape.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { App, RefreshMemo, Subscriber } from './app.ts';
import { InstantLocalError, notFound, toInstantError, validationError } from './errors.ts';
import { toWireResult } from './instaql.ts';
import type { AuthUser, RequestInfo } from './permissions.ts';

type Msg = { op?: unknown; 'client-event-id'?: unknown; [k: string]: unknown };
type Sub = { q: Record<string, unknown>; last: string };

export class RuntimeSession implements Subscriber {
  readonly id = randomUUID();
  private app: App | null = null;
  private user: AuthUser = null;
  private admin = false;
  private readonly subs = new Map<string, Sub>();
  private attrsSent = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly lookupApp: (id: string) => App | undefined,
    private readonly appIdFromUrl: string | null,
    /** The upgrade request's origin and ip: `request.origin`/`request.ip` in write rules. */
    private readonly request: RequestInfo = {},
  ) {}

  async receive(raw: string) {
    let msg: Msg;
    try {
      msg = JSON.parse(raw);
      if (!msg || typeof msg !== 'object' || typeof msg.op !== 'string') throw new Error('no op');
    } catch {
      return this.sendError(
        { op: 'unknown' },
        new InstantLocalError('param-malformed', 'Malformed message: expected a JSON object with an `op`.', {
          in: ['op'],
        }),
      );
    }
    try {
      await this.handle(msg);
    } catch (e) {
      this.sendError(msg, toInstantError(e));
    }
  }

  close() {
    this.app?.subscribers.delete(this);
    this.subs.clear();
  }

  private async handle(msg: Msg) {
    const eventId = msg['client-event-id'];
    switch (msg.op) {
      case 'init':
        return this.init(msg);
      case 'add-query': {
        const app = this.requireInit();
        const q = msg.q as Record<string, unknown>;
        if (!q || typeof q !== 'object') throw validationError('add-query', { q }, ['Query can not be null.']);
        const key = JSON.stringify(q);
        if (this.subs.has(key)) return this.send({ op: 'add-query-exists', q, 'client-event-id': eventId });
        const result = this.compute(app, q);
        this.subs.set(key, { q, last: JSON.stringify(result) });
        return this.send({ op: 'add-query-ok', q, result, 'processed-tx-id': app.txId, 'client-event-id': eventId });
      }
      case 'remove-query':
        this.subs.delete(JSON.stringify(msg.q));
        return this.send({ op: 'remove-query-ok', 'client-event-id': eventId });
      case 'transact': {
        const app = this.requireInit();
        const txId = await app.transact(msg['tx-steps'], { admin: this.admin, user: this.user, request: this.request });
        return this.send({ op: 'transact-ok', 'tx-id': txId, 'client-event-id': eventId });
      }
      case 'join-room':
        return this.send({ op: 'join-room-ok', 'room-id': msg['room-id'], 'client-event-id': eventId });
      case 'leave-room':
        return this.send({ op: 'leave-room-ok', 'room-id': msg['room-id'], 'client-event-id': eventId });
      case 'set-presence':
      case 'client-broadcast':
        return; // presence is not emulated (see README)
      default:
        throw validationError('op', msg, [`Unsupported op \`${String(msg.op)}\``]);
    }
  }

  private init(msg: Msg) {
    if (this.app) throw validationError('init', msg, ['`init` has already run for this session.']);
    const appId = String(msg['app-id'] ?? this.appIdFromUrl ?? '');
    const app = this.lookupApp(appId);
    if (!app) throw notFound('app', { 'app-id': appId });
    const refresh = msg['refresh-token'];
    if (typeof refresh === 'string' && refresh) {
      const user = app.userByRefreshToken(refresh);
      if (!user) throw notFound('app-user');
      this.user = user;
    }
    this.admin = typeof msg['__admin-token'] === 'string' && msg['__admin-token'] === app.config.adminToken;
    this.app = app;
    app.subscribers.add(this);
    this.attrsSent = app.attrs.length;
    this.send({
      op: 'init-ok',
      'session-id': this.id,
      'client-event-id': msg['client-event-id'],
      auth: { app: { id: app.config.id, title: app.config.title }, user: this.user, 'admin?': this.admin },
      attrs: app.attrs,
      'app-status': { status: 'active' },
    });
  }

  /** Recomputes every query of this session; sends the ones whose result changed. */
  refresh(app: App, txId: number, memo: RefreshMemo) {
    if (app !== this.app || this.ws.readyState !== this.ws.OPEN) return;
    const computations: unknown[] = [];
    for (const sub of this.subs.values()) {
      const key = `${this.admin}\u0000${this.user?.id ?? ''}\u0000${JSON.stringify(sub.q)}`;
      let computed = memo.get(key);
      if (!computed) {
        try {
          const r = this.compute(app, sub.q);
          computed = { result: r, json: JSON.stringify(r) };
        } catch (e) {
          computed = e as Error;
        }
        memo.set(key, computed);
      }
      // A query that now fails (a rule that cannot be evaluated, a bound on cost) reports the
      // error to its subscription once; its last result stays until it answers again.
      if (computed instanceof Error) {
        const err = toInstantError(computed);
        const errJson = JSON.stringify(err);
        if (errJson !== sub.last) this.sendError({ op: 'add-query', q: sub.q }, err);
        sub.last = errJson;
        continue;
      }
      const { result, json } = computed;
      if (json === sub.last) continue;
      sub.last = json;
      computations.push({ 'instaql-query': sub.q, 'instaql-result': result });
    }
    // Attrs ride along only when new ones appeared since this client last got them.
    const attrsChanged = app.attrs.length !== this.attrsSent;
    if (!computations.length && !attrsChanged) return;
    this.attrsSent = app.attrs.length;
    this.send({
      op: 'refresh-ok',
      'processed-tx-id': txId,
      computations,
      ...(attrsChanged ? { attrs: app.attrs } : {}),
    });
  }

  private compute(app: App, q: Record<string, unknown>) {
    const ruleParams = (q.$$ruleParams as Record<string, unknown>) ?? {};
    return toWireResult(app.query(q, { admin: this.admin, user: this.user, ruleParams }));
  }

  private requireInit(): App {
    if (!this.app) throw validationError('init', {}, ['`init` has not run for this session.']);
    return this.app;
  }

  private sendError(msg: Msg, e: InstantLocalError) {
    this.send({
      op: 'error',
      // Over the socket Instant answers its timeouts with 500 (not a bad-request type there).
      status: e.type === 'timeout' ? 500 : e.status,
      type: e.type,
      message: e.message,
      hint: e.hint,
      'client-event-id': msg['client-event-id'],
      'original-event': msg,
    });
  }

  private send(payload: Record<string, unknown>) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(payload));
  }
}
