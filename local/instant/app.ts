// One Instant app: its attributes, data, rules, users and live subscriptions. Everything the
// HTTP and WebSocket front ends do goes through here, and every commit is made durable (when a
// log is attached) before it is acknowledged or pushed to subscribers.
import { randomInt, randomUUID } from 'node:crypto';
import { AttrCatalog, attrsFromSchema, inferredAttrs, type Attr, type SchemaJson } from './attrs.ts';
import { InstantLocalError, notFound, validationError } from './errors.ts';
import { HourlyBuckets } from './hourly-buckets.ts';
import { QueryRunner, type Access } from './instaql.ts';
import { Permissions, type AuthUser, type RuleSet } from './permissions.ts';
import { assertValidRules } from './rule-validation.ts';
import { checkType, Transactor, type TxAccess } from './transact.ts';
import { TripleStore, type Change } from './triple-store.ts';
import type { LogRecord } from './durable-log.ts';

export type AppConfig = { id: string; title: string; adminToken: string; schema?: SchemaJson; rules?: RuleSet };
export type Mail = { to: string; subject: string; text: string; code: string; appTitle: string };

export const MAGIC_CODE_TTL_MS = 24 * 60 * 60 * 1000; // Instant's default: 1440 minutes
/** Instant's `magic-code-rate-limit-per-hour` (default 20), per app and email. */
export const MAGIC_CODES_PER_HOUR = 20;
/** Instant checks codes against a bucket of the same size: 20 attempts per app and email per hour. */
export const MAGIC_CODE_CHECKS_PER_HOUR = MAGIC_CODES_PER_HOUR;

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
  // Instant's two magic-code buckets per app and email: codes sent, and codes checked.
  private readonly sendLimit = new HourlyBuckets(MAGIC_CODES_PER_HOUR);
  private readonly verifyLimit = new HourlyBuckets(MAGIC_CODE_CHECKS_PER_HOUR);
  private signup?: { of: Permissions; perms: Permissions };
  readonly subscribers = new Set<Subscriber>();
  private refreshScheduled = false;
  /** The id of a new user with this (normalised) email: random, or seeded by the server's `seed`. */
  newUserId: (email: string | undefined) => string = () => randomUUID();

  constructor(
    public config: AppConfig,
    private readonly persist: (r: LogRecord) => Promise<void>,
    private readonly mail: (m: Mail) => Promise<void>,
  ) {
    if (config.rules) assertValidRules(config.rules);
    this.catalog = new AttrCatalog(attrsFromSchema(config.id, config.schema));
    this.store = new TripleStore(this.catalog);
    this.perms = new Permissions(config.rules ?? {}, this.catalog, this.store);
    this.queries = new QueryRunner(this.catalog, this.store, this.perms);
    this.tx = this.makeTransactor();
  }

  get attrs(): Attr[] {
    return this.catalog.list;
  }

  /**
   * New schema and rules (`npm run dev` reloads them on change). Existing data is kept. Invalid
   * rules throw Instant's `validation-failed` error and leave schema and rules as they were.
   */
  reload(schema: SchemaJson | undefined, rules: RuleSet | undefined) {
    if (rules) assertValidRules(rules);
    this.config = { ...this.config, schema, rules };
    for (const a of attrsFromSchema(this.config.id, schema)) {
      const existing = this.catalog.byId.get(a.id);
      if (existing) this.catalog.update(existing, a);
      else this.catalog.add(a);
    }
    this.store.reindex(); // a new unique or index covers the data already stored
    this.perms = new Permissions(rules ?? {}, this.catalog, this.store);
    this.queries = new QueryRunner(this.catalog, this.store, this.perms);
    this.tx = this.makeTransactor();
    this.scheduleRefresh();
  }

  // ---- replay from the durable log

  restore(r: LogRecord) {
    switch (r.k) {
      case 'config': // a schema or rules push (dash-routes.ts)
        this.reload(r.schema as SchemaJson | undefined, r.rules as RuleSet | undefined);
        break;
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
      if (unique)
        Object.assign(
          created[created.length - 1],
          { 'unique?': true, 'index?': true },
          ref ? { cardinality: 'one' } : {},
        );
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

  /** A user as Instant's server returns one: its fields plus `app_id`, `created_at` and `isGuest`. */
  private userJson(id: string): AppUser {
    const e = this.store.get('$users', id)!;
    const o = this.store.toObject(e);
    const created = e.fields.get(this.catalog.idAttr('$users')!.id)?.t ?? Date.now();
    return {
      ...o,
      app_id: this.config.id,
      id,
      email: (o.email as string) ?? null,
      created_at: new Date(created).toISOString(),
      isGuest: o.type === 'guest',
    };
  }

  /**
   * Instant's sign-up check, run before a new user is written: extra fields must be non-system
   * `$users` attributes of the schema, and unless an admin signs the user up, `$users.allow.create`
   * alone decides (no `$default` fallback; without that rule, sign-up with extra fields is refused).
   */
  private assertSignup(user: { id: string; email?: string }, extraFields: ExtraFields, admin: boolean) {
    for (const [k, v] of Object.entries(extraFields)) {
      if (USERS_SYSTEM_FIELDS.has(k))
        throw validationError('extra-fields', extraFields, [`Cannot set system field: ${k}`]);
      const attr = this.catalog.field('$users', k);
      if (!attr)
        throw validationError('extra-fields', extraFields, [
          `Unknown field: ${k}. It must be defined in your $users schema.`,
        ]);
      checkType(attr, v);
    }
    if (admin) return;
    const rule = this.perms.rules.$users?.allow?.create;
    const denied = () =>
      new InstantLocalError('permission-denied', 'Permission denied: not perms-pass?', {
        input: ['$users', 'create'],
        expected: 'perms-pass?',
      });
    if (rule === undefined || rule === null) {
      if (Object.keys(extraFields).length) throw denied();
      return;
    }
    const data = { ...extraFields, id: user.id, ...(user.email ? { email: user.email } : {}) };
    // The would-be user is both `data` and `auth`, as on Instant.
    if (!this.signupPerms().check(this.signupPerms().program('$users', 'create'), data, { data, newData: data }))
      throw denied();
  }

  /** Rules holding only `$users.allow.create` and its binds, so no other rule can stand in for it. */
  private signupPerms(): Permissions {
    if (this.signup?.of !== this.perms) {
      const r = this.perms.rules;
      const only: RuleSet = {
        $default: { bind: r.$default?.bind },
        $users: { allow: { create: r.$users!.allow!.create }, bind: r.$users?.bind },
      };
      this.signup = { of: this.perms, perms: new Permissions(only, this.catalog, this.store) };
    }
    return this.signup.perms;
  }

  private async createUser(
    user: { id: string; email?: string; type?: string },
    extraFields: ExtraFields,
  ): Promise<AppUser> {
    const now = Date.now();
    const { changes } = this.store.transaction(() => {
      this.store.ensure('$users', user.id, now);
      if (user.email) this.store.set('$users', user.id, this.catalog.field('$users', 'email')!, user.email, now);
      if (user.type) this.store.set('$users', user.id, this.catalog.field('$users', 'type')!, user.type, now);
      for (const [k, v] of Object.entries(extraFields))
        this.store.set('$users', user.id, this.catalog.field('$users', k)!, v, now);
    });
    await this.commit(changes, []);
    return this.userJson(user.id);
  }

  /**
   * The admin SDK's `createToken`: the user for an email or id, created on first use (admin: no
   * create rule runs; extra fields are still checked). A returning user's fields are left alone.
   */
  async createToken(by: { email?: string; id?: string }, extraFields: unknown) {
    const existing = by.email ? this.userByEmail(by.email) : this.userById(by.id!);
    let user = existing;
    if (!user) {
      const fields = extraFieldsOf(extraFields);
      const id = by.id ?? this.newUserId(by.email && normalizeEmail(by.email));
      this.assertSignup({ id, email: by.email }, fields, true);
      user = await this.createUser({ id, email: by.email && normalizeEmail(by.email) }, fields);
    }
    return { user: { ...user, refresh_token: await this.issueRefreshToken(user.id) }, created: !existing };
  }

  /** A guest user (`type: "guest"`, no email), subject to the sign-up check unless an admin makes it. */
  async signInAsGuest(extraFields: unknown, admin: boolean) {
    const fields = extraFieldsOf(extraFields);
    const id = randomUUID();
    this.assertSignup({ id }, fields, admin);
    const user = await this.createUser({ id, type: 'guest' }, fields);
    return { user: { ...user, refresh_token: await this.issueRefreshToken(id) } };
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
      let userId = by.id;
      if (!userId) {
        const user = this.userByEmail(by.email!);
        if (!user) throw notFound('app-user');
        userId = user.id;
      }
      tokens = [...this.refreshTokens].filter(([, uid]) => uid === userId).map(([t]) => t);
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

  /** A new code; earlier codes stay valid until used or expired, as on Instant. */
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
    if (!this.sendLimit.tryTake(clean)) throw emailRateLimited();
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

  /**
   * Checks a code, as Instant's verify!: every attempt (right or wrong) takes a token from the
   * email's hourly bucket; a new user passes the sign-up check before the code is consumed, so a
   * refused sign-up leaves the code usable; then the code is consumed and the user created.
   */
  async verifyMagicCode(
    email: string,
    code: string,
    opts: { extraFields?: unknown; admin?: boolean; guestId?: string } = {},
  ) {
    const clean = normalizeEmail(email);
    if (!this.verifyLimit.tryTake(clean)) throw emailRateLimited();
    const existing = this.userByEmail(clean);
    // A guest signing in with a new email becomes that user (same id); with a known email, the
    // guest is left as it is (Instant links it to the user, which is not emulated).
    const id = opts.guestId ?? this.newUserId(clean);
    const fields = existing ? {} : extraFieldsOf(opts.extraFields);
    if (!existing) this.assertSignup({ id, email: clean }, fields, Boolean(opts.admin));
    const codes = this.magicCodes.get(clean) ?? [];
    const match = codes.find((c) => c.code === String(code).trim());
    if (!match) throw notFound('app-user-magic-code');
    this.magicCodes.set(
      clean,
      codes.filter((c) => c !== match),
    );
    if (Date.now() - match.at >= MAGIC_CODE_TTL_MS) {
      throw new InstantLocalError('record-expired', 'Record expired: app-user-magic-code', {
        'record-type': 'app-user-magic-code',
      });
    }
    const user = existing ?? (await this.createUser({ id, email: clean, type: 'user' }, fields));
    const refresh_token = await this.issueRefreshToken(user.id);
    return { user: { ...user, refresh_token }, created: !existing };
  }
}

export type AppUser = NonNullable<AuthUser> & {
  email: string | null;
  app_id: string;
  created_at: string;
  isGuest: boolean;
};
type ExtraFields = Record<string, unknown>;

/** Upstream's own `$users` attributes, which sign-up's extra fields may not set. */
const USERS_SYSTEM_FIELDS = new Set(['id', 'email', 'type', 'imageURL', 'linkedPrimaryUser']);

function extraFieldsOf(v: unknown): ExtraFields {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw validationError('extra-fields', v, [
      'extra-fields must be an object of $users fields, e.g. {"nickname": "ari"}',
    ]);
  }
  return v as ExtraFields;
}

function emailRateLimited() {
  return new InstantLocalError(
    'rate-limited',
    'Too many verification codes requested for this email. Please try again later.',
    null,
  );
}

/** Instant lower-cases and trims emails; so does every comparison here. */
export function normalizeEmail(email: string): string {
  return String(email).trim().toLowerCase();
}
