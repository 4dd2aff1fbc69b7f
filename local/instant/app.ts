// One Instant app: its attributes, data, rules, users and live subscriptions. Everything the
// HTTP and WebSocket front ends do goes through here, and every commit is made durable (when a
// log is attached) before it is acknowledged or pushed to subscribers.
import { randomInt, randomUUID } from 'node:crypto';
import { AttrCatalog, attrsFromSchema, inferredAttrs, type Attr, type SchemaJson } from './attrs.ts';
import { InstantLocalError, notFound, permissionDenied } from './errors.ts';
import { QueryRunner, type Access } from './instaql.ts';
import { Permissions, type AuthUser, type RuleSet } from './permissions.ts';
import { Transactor, type TxAccess } from './transact.ts';
import { TripleStore, type Change } from './triple-store.ts';
import type { LogRecord } from './durable-log.ts';

export type AppConfig = { id: string; title: string; adminToken: string; schema?: SchemaJson; rules?: RuleSet };
export type Mail = { to: string; subject: string; text: string; code: string; appTitle: string };

export const MAGIC_CODE_TTL_MS = 24 * 60 * 60 * 1000; // Instant's default: 1440 minutes
export const MAGIC_CODES_PER_HOUR = 20; // Instant's default per email per app

/** Results computed during one refresh pass, shared by sessions that run the same query as the same user. */
export type RefreshMemo = Map<string, { result: unknown; json: string } | Error>;
export type Subscriber = { refresh(app: App, txId: number, memo: RefreshMemo): void };

export class App {
  readonly catalog: AttrCatalog;
  readonly store: TripleStore;
  perms: Permissions;
  private queries: QueryRunner;
  private tx: Transactor;
  txId = 0;
  private readonly refreshTokens = new Map<string, string>();
  private readonly magicCodes = new Map<string, { code: string; at: number }[]>();
  private readonly sends = new Map<string, number[]>();
  readonly subscribers = new Set<Subscriber>();
  private refreshScheduled = false;

  constructor(
    public config: AppConfig,
    private readonly persist: (r: LogRecord) => Promise<void>,
    private readonly mail: (m: Mail) => Promise<void>,
  ) {
    this.catalog = new AttrCatalog(attrsFromSchema(config.id, config.schema));
    this.store = new TripleStore(this.catalog);
    this.perms = new Permissions(config.rules ?? {}, this.catalog, this.store);
    this.queries = new QueryRunner(this.catalog, this.store, this.perms);
    this.tx = this.makeTransactor();
  }

  get attrs(): Attr[] {
    return this.catalog.list;
  }

  /** New schema and rules (`npm run dev` reloads them on change). Existing data is kept. */
  reload(schema: SchemaJson | undefined, rules: RuleSet | undefined) {
    this.config = { ...this.config, schema, rules };
    for (const a of attrsFromSchema(this.config.id, schema)) {
      const existing = this.catalog.byId.get(a.id);
      if (existing) Object.assign(existing, a);
      else this.catalog.add(a);
    }
    this.perms = new Permissions(rules ?? {}, this.catalog, this.store);
    this.queries = new QueryRunner(this.catalog, this.store, this.perms);
    this.tx = this.makeTransactor();
    this.scheduleRefresh();
  }

  // ---- replay from the durable log

  restore(r: LogRecord) {
    switch (r.k) {
      case 'attr':
        if (!this.catalog.byId.has((r.attr as Attr).id)) this.catalog.add(r.attr as Attr);
        break;
      case 'tx':
        this.store.replay(r.changes as Change[]);
        this.txId = Math.max(this.txId, r.txId as number);
        break;
      case 'attr-delete': {
        const attr = this.catalog.byId.get(r.attrId as string);
        if (attr) this.catalog.remove(attr);
        break;
      }
      case 'token':
        this.refreshTokens.set(r.token as string, r.userId as string);
        break;
      case 'signout':
        for (const t of r.tokens as string[]) this.refreshTokens.delete(t);
        break;
    }
  }

  // ---- data

  query(q: Record<string, unknown>, access: Access) {
    return this.queries.run(q, access);
  }

  async transact(steps: unknown, access: TxAccess): Promise<number> {
    const { changes, newAttrs, deletedAttrs } = this.tx.run(steps, access);
    return this.commit(changes, newAttrs, deletedAttrs);
  }

  async transactOps(ops: unknown[], throwOnMissingAttrs: boolean, access: TxAccess): Promise<number> {
    return this.transact(this.tx.opsToSteps(ops, throwOnMissingAttrs), access);
  }

  private async commit(changes: Change[], newAttrs: Attr[], deletedAttrs: string[] = []): Promise<number> {
    const txId = ++this.txId;
    const writes = newAttrs.map((attr) => this.persist({ k: 'attr', app: this.config.id, attr }));
    // Triples of a deleted attr are retracted by `changes`, which replay before the attr goes.
    if (changes.length) writes.push(this.persist({ k: 'tx', app: this.config.id, txId, changes }));
    writes.push(...deletedAttrs.map((attrId) => this.persist({ k: 'attr-delete', app: this.config.id, attrId })));
    await Promise.all(writes);
    this.scheduleRefresh();
    return txId;
  }

  /** Coalesces a burst of commits into one recompute of every live query. */
  scheduleRefresh() {
    if (this.refreshScheduled) return;
    this.refreshScheduled = true;
    setImmediate(() => {
      this.refreshScheduled = false;
      const memo: RefreshMemo = new Map();
      for (const s of this.subscribers) s.refresh(this, this.txId, memo);
    });
  }

  private makeTransactor() {
    return new Transactor(this.catalog, this.store, this.perms, (etype, label, ref, unique) => {
      const created = inferredAttrs(this.config.id, this.catalog, etype, label, ref);
      // A lookup's attribute is made unique and indexed, as Instant's admin transact does.
      if (unique) Object.assign(created[created.length - 1], { 'unique?': true, 'index?': true }, ref ? { cardinality: 'one' } : {});
      for (const attr of created) {
        this.catalog.add(attr);
        void this.persist({ k: 'attr', app: this.config.id, attr });
      }
      return created[created.length - 1];
    });
  }

  // ---- users and auth

  userByEmail(email: string) {
    const e = this.store.byUnique(this.catalog.field('$users', 'email')!, normalizeEmail(email));
    return e ? this.userJson(e) : null;
  }

  userById(id: string) {
    return this.store.get('$users', id) ? this.userJson(id) : null;
  }

  userByRefreshToken(token: string) {
    const id = this.refreshTokens.get(token);
    return id ? this.userById(id) : null;
  }

  private userJson(id: string): NonNullable<AuthUser> & { email: string | null } {
    const o = this.store.toObject(this.store.get('$users', id)!);
    return { ...o, id, email: (o.email as string) ?? null };
  }

  /** The user for an email, created (subject to the `$users` create rule) on first sign-in. */
  async findOrCreateUser(email: string): Promise<{ user: ReturnType<App['userJson']>; created: boolean }> {
    const clean = normalizeEmail(email);
    const existing = this.userByEmail(clean);
    if (existing) return { user: existing, created: false };
    const id = randomUUID();
    const emailAttr = this.catalog.field('$users', 'email')!;
    const { changes } = this.store.transaction(() => {
      this.store.set('$users', id, emailAttr, clean, Date.now());
      const ok = this.perms.check(this.perms.program('$users', 'create'), null, { data: this.store.get('$users', id)! });
      if (!ok) throw permissionDenied('$users');
    });
    await this.commit(changes, []);
    return { user: this.userJson(id), created: true };
  }

  async issueRefreshToken(userId: string): Promise<string> {
    const token = randomUUID();
    this.refreshTokens.set(token, userId);
    await this.persist({ k: 'token', app: this.config.id, token, userId });
    return token;
  }

  async signOut(by: { email?: string; id?: string; refresh_token?: string }) {
    let tokens: string[];
    if (by.refresh_token) tokens = this.refreshTokens.has(by.refresh_token) ? [by.refresh_token] : [];
    else {
      const user = by.id ? this.userById(by.id) : by.email ? this.userByEmail(by.email) : null;
      if (!user) throw notFound('app-user');
      tokens = [...this.refreshTokens].filter(([, uid]) => uid === user.id).map(([t]) => t);
    }
    tokens.forEach((t) => this.refreshTokens.delete(t));
    if (tokens.length) await this.persist({ k: 'signout', app: this.config.id, tokens });
  }

  async deleteUser(id: string) {
    const user = this.userById(id);
    if (!user) return null;
    const { changes } = this.store.transaction(() => this.store.remove('$users', id));
    for (const [t, uid] of this.refreshTokens) if (uid === id) this.refreshTokens.delete(t);
    await this.commit(changes, []);
    return user;
  }

  generateMagicCode(email: string): string {
    const clean = normalizeEmail(email);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = Date.now();
    const live = (this.magicCodes.get(clean) ?? []).filter((c) => now - c.at < MAGIC_CODE_TTL_MS);
    live.push({ code, at: now });
    this.magicCodes.set(clean, live);
    return code;
  }

  /** Sends a code by mail, limited per email per hour as Instant does. */
  async sendMagicCode(email: string): Promise<string> {
    const clean = normalizeEmail(email);
    const now = Date.now();
    const recent = (this.sends.get(clean) ?? []).filter((t) => now - t < 60 * 60 * 1000);
    if (recent.length >= MAGIC_CODES_PER_HOUR) {
      throw new InstantLocalError('rate-limited', 'Too many verification codes requested for this email. Please try again later.');
    }
    recent.push(now);
    this.sends.set(clean, recent);
    const code = this.generateMagicCode(clean);
    await this.mail({
      to: clean,
      code,
      appTitle: this.config.title,
      subject: `${code} is your verification code for ${this.config.title}`,
      text: `Enter this code to sign in to ${this.config.title}: ${code}\n\nThis code will expire in 24 hours, and can only be used once. If you didn't request this code, you can safely ignore this email.`,
    });
    return code;
  }

  /** Consumes a code; creates the user on first sign-in; returns the user with a refresh token. */
  async verifyMagicCode(email: string, code: string) {
    const clean = normalizeEmail(email);
    const codes = this.magicCodes.get(clean) ?? [];
    const match = codes.find((c) => c.code === String(code).trim());
    if (!match) throw notFound('app-user-magic-code');
    this.magicCodes.set(clean, codes.filter((c) => c !== match));
    if (Date.now() - match.at >= MAGIC_CODE_TTL_MS) {
      throw new InstantLocalError('record-expired', 'Record expired: app-user-magic-code', { 'record-type': 'app-user-magic-code' });
    }
    const { user, created } = await this.findOrCreateUser(clean);
    const refresh_token = await this.issueRefreshToken(user.id);
    return { user: { ...user, refresh_token, isGuest: false }, created };
  }
}

/** Instant lower-cases and trims emails; so does every comparison here. */
export function normalizeEmail(email: string): string {
  return String(email).trim().toLowerCase();
}
