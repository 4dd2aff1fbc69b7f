// Magic codes, sign-up rules, extra fields, guests and the magic-code limits, as Instant's server
// does them (server/test/instant/runtime/routes_test.clj, client/packages/core/__tests__/src/
// auth-extra-fields.e2e.test.ts), through raw HTTP and the unmodified SDKs.
import { describe, expect, it, vi } from 'vitest';
import { i, id } from '@instantdb/core';
import { MAGIC_CODE_CHECKS_PER_HOUR, MAGIC_CODE_TTL_MS, MAGIC_CODES_PER_HOUR } from '../app.ts';
import { uniqueString } from '../fixtures.test-schema.ts';
import { startInstantLocal } from '../server.ts';
import { from, lastCode, throwawayApp, type ThrowawayApp } from './harness.ts';

const R = 'routes_test.clj';
const E2E = 'auth-extra-fields.e2e.test.ts';

const schema = i.schema({
  entities: {
    $users: i.entity({ email: uniqueString(), username: uniqueString(), displayName: i.string().optional() }),
  },
});
const createTrue = { $users: { allow: { create: 'true' } } };

type Body = Record<string, unknown>;

/** POST without any admin header, as a browser (or a stranger) sends it. */
async function runtime(app: ThrowawayApp, path: string, body: Body) {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ 'app-id': app.appId, ...body }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function admin(app: ThrowawayApp, path: string, body: Body) {
  const res = await app.http('POST', path, body);
  return { status: res.status, body: (await res.json()) as any };
}

// Upstream's test matrix: runtime send + runtime verify, admin magic_code + admin verify, admin send + admin verify.
const sendRuntime = async (app: ThrowawayApp, email: string) => {
  expect((await runtime(app, '/runtime/auth/send_magic_code', { email })).body).toEqual({ sent: true });
  return lastCode(email)!;
};
const postCodeAdmin = async (app: ThrowawayApp, email: string) =>
  (await admin(app, '/admin/magic_code', { email })).body.code as string;
const sendCodeAdmin = async (app: ThrowawayApp, email: string) => {
  const { code } = (await admin(app, '/admin/send_magic_code', { email })).body;
  expect(code).toBe(lastCode(email));
  return code as string;
};
const verifyRuntime = (app: ThrowawayApp, body: Body) => runtime(app, '/runtime/auth/verify_magic_code', body);
const verifyAdmin = (app: ThrowawayApp, body: Body) => admin(app, '/admin/verify_magic_code', body);

const matrix = [
  { name: 'runtime send, runtime verify', send: sendRuntime, verify: verifyRuntime },
  { name: 'admin magic_code, admin verify', send: postCodeAdmin, verify: verifyAdmin },
  { name: 'admin send, admin verify', send: sendCodeAdmin, verify: verifyAdmin },
];

describe('magic codes', () => {
  it.each(matrix)(
    from(R, 'magic-codes-test', 'codes: several live at once, once each, per email ($name)'),
    async ({ send, verify }) => {
      const app = await throwawayApp();
      const code = await send(app, 'a@b.c');
      const code2 = await send(app, 'a@b.c');
      expect(code).not.toBe(code2);
      const wrong = code === '000000' ? '000001' : '000000';
      expect(await verify(app, { email: 'a@b.c', code: wrong })).toMatchObject({
        status: 400,
        body: { type: 'record-not-found' },
      });
      expect((await verify(app, { email: 'wrong@b.c', code })).status).toBe(400);
      const first = await verify(app, { email: 'a@b.c', code });
      expect(first.status).toBe(200);
      expect(first.body.user).toMatchObject({ app_id: app.appId, email: 'a@b.c', refresh_token: expect.any(String) });
      expect((await verify(app, { email: 'a@b.c', code })).status).toBe(400);
      // A newer code did not invalidate the older one, nor did using the older one.
      expect((await verify(app, { email: 'a@b.c', code: code2 })).body.user).toMatchObject({
        app_id: app.appId,
        email: 'a@b.c',
      });
      const code3 = await send(app, 'a@b.c');
      const again = await verify(app, { email: 'a@b.c', code: code3 });
      expect(again.body).toMatchObject({
        created: false,
        user: { id: first.body.user.id, app_id: app.appId, email: 'a@b.c' },
      });
    },
  );

  it(from(R, 'magic-codes-test', 'the user object has the fields the real server returns'), async () => {
    const app = await throwawayApp();
    const { body } = await verifyRuntime(app, { email: 'shape@b.c', code: await sendRuntime(app, 'shape@b.c') });
    expect(body).toEqual({
      created: true,
      user: {
        id: expect.any(String),
        app_id: app.appId,
        email: 'shape@b.c',
        type: 'user',
        isGuest: false,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        refresh_token: expect.any(String),
      },
    });
    const verified = await runtime(app, '/runtime/auth/verify_refresh_token', {
      'refresh-token': body.user.refresh_token,
    });
    expect(verified.body.user).toEqual(body.user);
  });

  it(
    from(R, 'verify-refresh-token-reactive-cache-test', 'a token verifies until signed out; an unknown one never'),
    async () => {
      const app = await throwawayApp();
      const { user } = (await verifyRuntime(app, { email: 'a@b.c', code: await sendRuntime(app, 'a@b.c') })).body;
      const verify = (t: string) => runtime(app, '/runtime/auth/verify_refresh_token', { 'refresh-token': t });
      for (let n = 0; n < 3; n++)
        expect((await verify(user.refresh_token)).body.user).toMatchObject({
          id: user.id,
          email: 'a@b.c',
          refresh_token: user.refresh_token,
        });
      expect((await verify(id())).status).toBe(400);
      const out = await fetch(`${app.url}/runtime/signout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_id: app.appId, refresh_token: user.refresh_token }),
      });
      expect([out.status, await out.json()]).toEqual([200, {}]);
      expect(await verify(user.refresh_token)).toMatchObject({ status: 400, body: { type: 'record-not-found' } });
    },
  );

  it(
    from(R, 'default-magic-code-body-renders-app-title', 'the mail names the app, the code and the expiry'),
    async () => {
      const mails: { subject: string; text: string; code: string }[] = [];
      const server = await startInstantLocal({
        memory: true,
        title: 'MyApp',
        sendMail: async (m) => void mails.push(m),
      });
      try {
        await fetch(`${server.url}/runtime/auth/send_magic_code`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ 'app-id': server.appId, email: 'a@b.c' }),
        });
        const [m] = mails;
        expect(m.subject).toBe(`${m.code} is your verification code for MyApp`);
        expect(m.text).toContain('MyApp');
        expect(m.text).toContain(m.code);
        expect(m.text).toContain('24 hours');
      } finally {
        await server.close();
      }
    },
  );

  it.each(matrix)(
    from(R, 'magic-codes-expire-test', 'a code older than 24 hours is refused, a 23-hour-old one works ($name)'),
    async ({ send, verify }) => {
      const app = await throwawayApp();
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        const old = await send(app, 'a@b.c');
        vi.setSystemTime(Date.now() + 25 * 60 * 60 * 1000);
        expect(await verify(app, { email: 'a@b.c', code: old })).toMatchObject({
          status: 400,
          body: { type: 'record-expired' },
        });
        const fresh = await send(app, 'a@b.c');
        vi.setSystemTime(Date.now() + 23 * 60 * 60 * 1000);
        expect((await verify(app, { email: 'a@b.c', code: fresh })).body.user.email).toBe('a@b.c');
        expect(MAGIC_CODE_TTL_MS).toBe(24 * 60 * 60 * 1000);
      } finally {
        vi.useRealTimers();
      }
    },
  );

  it(
    from(
      R,
      'magic-codes-rate-limit-test',
      'sending is limited per email per hour (20, the default flag); other emails are not',
    ),
    async () => {
      const app = await throwawayApp();
      for (let n = 0; n < MAGIC_CODES_PER_HOUR; n++)
        expect((await runtime(app, '/runtime/auth/send_magic_code', { email: 'a@b.c' })).status).toBe(200);
      expect(await runtime(app, '/runtime/auth/send_magic_code', { email: 'a@b.c' })).toEqual({
        status: 429,
        body: {
          type: 'rate-limited',
          message: 'Too many verification codes requested for this email. Please try again later.',
          hint: null,
        },
      });
      // The same bucket, however the address is written.
      expect((await runtime(app, '/runtime/auth/send_magic_code', { email: ' A@B.C ' })).status).toBe(429);
      expect((await runtime(app, '/runtime/auth/send_magic_code', { email: 'different@b.c' })).status).toBe(200);
    },
  );
});

describe('guessing magic codes (attacker)', () => {
  const wrongCodes = (right: string) =>
    Array.from({ length: 1000 }, (_, n) => String(n).padStart(6, '0')).filter((c) => c !== right);

  it(
    from(
      'magic_code_auth.clj',
      'check-verify-rate-limit!',
      'after 20 wrong guesses in an hour the right code is refused too',
    ),
    async () => {
      const app = await throwawayApp();
      const right = await sendRuntime(app, 'victim@b.c');
      const guesses = wrongCodes(right).slice(0, MAGIC_CODE_CHECKS_PER_HOUR);
      for (const code of guesses)
        expect((await verifyRuntime(app, { email: 'victim@b.c', code })).body.type).toBe('record-not-found');
      const refused = await verifyRuntime(app, { email: 'victim@b.c', code: right });
      expect(refused).toEqual({
        status: 429,
        body: {
          type: 'rate-limited',
          message: 'Too many verification codes requested for this email. Please try again later.',
          hint: null,
        },
      });
      // Rewriting the address does not reach a fresh bucket; the client SDK is refused the same way.
      expect((await verifyRuntime(app, { email: ' VICTIM@b.c', code: right })).status).toBe(429);
      const db = app.client();
      await expect(db.auth.signInWithMagicCode({ email: 'victim@b.c', code: right })).rejects.toMatchObject({
        status: 429,
        body: { type: 'rate-limited' },
      });
      // The admin check counts against the same bucket.
      expect((await verifyAdmin(app, { email: 'victim@b.c', code: right })).status).toBe(429);
      // Other emails and other apps keep their own buckets.
      const other = await sendRuntime(app, 'bystander@b.c');
      expect((await verifyRuntime(app, { email: 'bystander@b.c', code: other })).status).toBe(200);
      const app2 = await throwawayApp();
      const code2 = await sendRuntime(app2, 'victim@b.c');
      expect((await verifyRuntime(app2, { email: 'victim@b.c', code: code2 })).status).toBe(200);
    },
  );

  it(
    from(
      'rate_limit.clj',
      'create-rate-limit-config',
      'the bucket refills after the hour, and the unused code still works',
    ),
    async () => {
      const app = await throwawayApp();
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        const right = await sendRuntime(app, 'patient@b.c');
        for (const code of wrongCodes(right).slice(0, MAGIC_CODE_CHECKS_PER_HOUR))
          await verifyRuntime(app, { email: 'patient@b.c', code });
        expect((await verifyRuntime(app, { email: 'patient@b.c', code: right })).status).toBe(429);
        vi.setSystemTime(Date.now() + 60 * 60 * 1000);
        expect((await verifyRuntime(app, { email: 'patient@b.c', code: right })).status).toBe(200);
      } finally {
        vi.useRealTimers();
      }
    },
  );

  it(
    from('magic_code_auth.clj', 'check-verify-rate-limit!', 'successful checks count too: 20 sign-ins, then refused'),
    async () => {
      const app = await throwawayApp();
      for (let n = 0; n < MAGIC_CODE_CHECKS_PER_HOUR; n++) {
        expect((await verifyAdmin(app, { email: 'busy@b.c', code: await postCodeAdmin(app, 'busy@b.c') })).status).toBe(
          200,
        );
      }
      expect((await verifyAdmin(app, { email: 'busy@b.c', code: await postCodeAdmin(app, 'busy@b.c') })).status).toBe(
        429,
      );
    },
  );
});

describe('sign-up rules ($users.allow.create)', () => {
  it(from(R, 'users-create-rule-validation-test', '$users create rules are valid, delete rules are not'), async () => {
    await throwawayApp({ rules: createTrue });
    await expect(throwawayApp({ rules: { $users: { allow: { delete: 'true' } } } })).rejects.toThrow(
      /validation-failed/,
    );
  });

  it(from(R, 'users-create-rule-magic-code-test', 'a refused sign-up does not use up the code'), async () => {
    const s = await startInstantLocal({
      memory: true,
      schema: JSON.parse(JSON.stringify(schema)),
      rules: { $users: { allow: { create: 'false' } } },
    });
    try {
      const post = (path: string, body: Body) =>
        fetch(`${s.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ 'app-id': s.appId, ...body }),
        });
      const { code } = (await (
        await fetch(`${s.url}/admin/magic_code`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'app-id': s.appId, authorization: `Bearer ${s.adminToken}` },
          body: JSON.stringify({ email: 'blocked@test.com' }),
        })
      ).json()) as { code: string };
      const refused = await post('/runtime/auth/verify_magic_code', { email: 'blocked@test.com', code });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({
        type: 'permission-denied',
        message: 'Permission denied: not perms-pass?',
        hint: { input: ['$users', 'create'], expected: 'perms-pass?' },
      });
      s.reload(JSON.parse(JSON.stringify(schema)), { $users: { allow: { create: 'true' } } });
      const ok = await post('/runtime/auth/verify_magic_code', { email: 'blocked@test.com', code });
      expect(await ok.json()).toMatchObject({ created: true, user: { email: 'blocked@test.com' } });
    } finally {
      await s.close();
    }
  });

  it(
    from(
      R,
      'users-create-rule-magic-code-test',
      'the rule sees the would-be user as data: email domain and extra fields',
    ),
    async () => {
      const app = await throwawayApp({
        schema,
        rules: { $users: { allow: { create: "data.email.endsWith('@allowed.com')" } } },
      });
      expect(
        (await verifyRuntime(app, { email: 'nope@blocked.com', code: await sendRuntime(app, 'nope@blocked.com') })).body
          .type,
      ).toBe('permission-denied');
      expect(
        (await verifyRuntime(app, { email: 'yes@allowed.com', code: await sendRuntime(app, 'yes@allowed.com') })).body
          .created,
      ).toBe(true);

      const fields = await throwawayApp({
        schema,
        rules: { $users: { allow: { create: 'data.username == null || data.username.size() >= 3' } } },
      });
      const short = await verifyRuntime(fields, {
        email: 'nofield@test.com',
        code: await sendRuntime(fields, 'nofield@test.com'),
        'extra-fields': { username: 'ab' },
      });
      expect(short).toMatchObject({ status: 400, body: { type: 'permission-denied' } });
      const long = await verifyRuntime(fields, {
        email: 'nofield@test.com',
        code: await sendRuntime(fields, 'nofield@test.com'),
        'extra-fields': { username: 'valid_user' },
      });
      expect(long.body.created).toBe(true);
    },
  );

  it(
    from(
      R,
      'users-create-rule-magic-code-test',
      'no create rule: sign-up allowed, but not with extra fields; existing users skip the rule',
    ),
    async () => {
      const app = await throwawayApp({ schema });
      expect(
        (await verifyRuntime(app, { email: 'default@test.com', code: await sendRuntime(app, 'default@test.com') })).body
          .created,
      ).toBe(true);
      const sneaky = await verifyRuntime(app, {
        email: 'norule@test.com',
        code: await sendRuntime(app, 'norule@test.com'),
        'extra-fields': { username: 'sneaky' },
      });
      expect(sneaky).toMatchObject({ status: 400, body: { type: 'permission-denied' } });

      const closed = await throwawayApp({ schema, rules: { $users: { allow: { create: 'false' } } } });
      await closed.admin.auth.createToken({ email: 'default@test.com' });
      const back = await verifyRuntime(closed, {
        email: 'default@test.com',
        code: await sendRuntime(closed, 'default@test.com'),
      });
      expect(back.body).toMatchObject({ created: false, user: { email: 'default@test.com' } });
    },
  );

  it(from(R, 'users-create-rule-guest-test', '$default rules do not stand in for $users.allow.create'), async () => {
    const app = await throwawayApp({ schema, rules: { $default: { allow: { $default: 'false' } } } });
    expect(
      (await verifyRuntime(app, { email: 'open@test.com', code: await sendRuntime(app, 'open@test.com') })).body
        .created,
    ).toBe(true);
    expect((await runtime(app, '/runtime/auth/sign_in_guest', {})).body.user.type).toBe('guest');
  });

  it(
    from(R, 'users-create-rule-admin-bypass-test', 'the admin SDK signs users up whatever the create rule says'),
    async () => {
      const app = await throwawayApp({ schema, rules: { $users: { allow: { create: 'false' } } } });
      const { user, created } = await app.admin.auth.checkMagicCode(
        'admin-bypass@test.com',
        (await app.admin.auth.generateMagicCode('admin-bypass@test.com')).code,
      );
      expect(created).toBe(true);
      expect(user.email).toBe('admin-bypass@test.com');
      expect(await app.admin.auth.createToken({ email: 'token-bypass@test.com' })).toEqual(expect.any(String));
    },
  );

  it(
    from(
      R,
      'users-create-rule-transact-blocked-test',
      'a client cannot create $users by transaction even with create: true',
    ),
    async () => {
      const app = await throwawayApp({ schema, rules: createTrue });
      const db = app.client();
      await db.queryOnce({ $users: {} }); // connected, so the transaction is sent now rather than enqueued
      await expect(db.transact(db.tx.$users[id()].update({ username: 'forged' }))).rejects.toMatchObject({
        message: expect.stringContaining("$users is a system entity. You aren't allowed to create this directly."),
      });
      expect((await app.admin.query({ $users: {} })).$users).toHaveLength(0);
    },
  );
});

describe('extra fields', () => {
  const viaRuntime = { name: 'runtime', send: sendRuntime, verify: verifyRuntime };
  const viaAdmin = { name: 'admin', send: postCodeAdmin, verify: verifyAdmin };

  it.each([viaRuntime, viaAdmin])(
    from(R, 'extra-fields-magic-code-test', 'written on a new user, ignored for a returning one ($name)'),
    async ({ send, verify }) => {
      const app = await throwawayApp({ schema, rules: createTrue });
      const fields = { username: 'cool_user', displayName: 'Cool User' };
      const first = await verify(app, {
        email: 'new@test.com',
        code: await send(app, 'new@test.com'),
        'extra-fields': fields,
      });
      expect(first.body).toMatchObject({ created: true, user: { email: 'new@test.com', ...fields } });
      const back = await verify(app, {
        email: 'new@test.com',
        code: await send(app, 'new@test.com'),
        'extra-fields': { username: 'different_name', displayName: 'Different' },
      });
      expect(back.body.created).toBe(false);
      expect(await app.admin.auth.getUser({ email: 'new@test.com' })).toMatchObject(fields);
      expect(
        (await verify(app, { email: 'compat@test.com', code: await send(app, 'compat@test.com') })).body,
      ).toMatchObject({ created: true });
      // A returning user with fields that would be refused still signs in: they are not looked at.
      const odd = await verify(app, {
        email: 'new@test.com',
        code: await send(app, 'new@test.com'),
        'extra-fields': { nonexistent: 'value' },
      });
      expect(odd.body).toMatchObject({ created: false, user: { email: 'new@test.com' } });
    },
  );

  it.each([viaRuntime, viaAdmin])(
    from(R, 'extra-fields-magic-code-test', 'unknown and system fields are refused, and the code survives ($name)'),
    async ({ send, verify }) => {
      const app = await throwawayApp({ schema, rules: createTrue });
      const code = await send(app, 'bad@test.com');
      expect(await verify(app, { email: 'bad@test.com', code, 'extra-fields': { nonexistent: 'value' } })).toEqual({
        status: 400,
        body: {
          type: 'validation-failed',
          message:
            'Validation failed for extra-fields: Unknown field: nonexistent. It must be defined in your $users schema.',
          hint: {
            'data-type': 'extra-fields',
            input: { nonexistent: 'value' },
            errors: [{ message: 'Unknown field: nonexistent. It must be defined in your $users schema.' }],
          },
        },
      });
      const sys = await verify(app, { email: 'bad@test.com', code, 'extra-fields': { email: 'evil@test.com' } });
      expect(sys).toMatchObject({
        status: 400,
        body: {
          type: 'validation-failed',
          message: 'Validation failed for extra-fields: Cannot set system field: email',
        },
      });
      expect((await verify(app, { email: 'bad@test.com', code })).body).toMatchObject({
        created: true,
        user: { email: 'bad@test.com' },
      });
      expect((await app.admin.query({ $users: { $: { where: { email: 'evil@test.com' } } } })).$users).toHaveLength(0);
    },
  );

  it(
    from(
      'runtime/routes.clj',
      'verify-magic-code-post',
      'malformed extra fields and codes are 400s naming the parameter',
    ),
    async () => {
      const app = await throwawayApp({ schema, rules: createTrue });
      const code = await sendRuntime(app, 'input@test.com');
      expect(await verifyRuntime(app, { email: 'input@test.com', code, 'extra-fields': 'username' })).toMatchObject({
        status: 400,
        body: { type: 'validation-failed', hint: { 'data-type': 'extra-fields' } },
      });
      expect(await verifyRuntime(app, { email: 'input@test.com', code: Number(code) })).toMatchObject({
        status: 400,
        body: { type: 'param-malformed', message: 'Malformed parameter: ["body" "code"]' },
      });
      expect(
        await verifyRuntime(app, { email: 'input@test.com', code, 'extra-fields': { username: 42 } }),
      ).toMatchObject({
        status: 400,
        body: { type: 'validation-failed', message: expect.stringContaining('$users.username') },
      });
      expect((await verifyRuntime(app, { email: 'input@test.com', code: ` ${code} ` })).body.created).toBe(true);
    },
  );

  it(
    from(R, 'extra-fields-admin-refresh-tokens-test', 'createToken writes extra fields on a new user only'),
    async () => {
      const app = await throwawayApp({ schema });
      const first = await admin(app, '/admin/refresh_tokens', {
        email: 'admin@test.com',
        'extra-fields': { username: 'admin_user' },
      });
      expect(first.body).toMatchObject({
        created: true,
        user: { email: 'admin@test.com', username: 'admin_user', app_id: app.appId },
      });
      const again = await admin(app, '/admin/refresh_tokens', {
        email: 'admin@test.com',
        'extra-fields': { username: 'different' },
      });
      expect(again.body).toMatchObject({ created: false, user: { username: 'admin_user' } });
    },
  );

  it(
    from(
      E2E,
      'new user with extraFields gets fields written and created=true',
      'through the client SDK, and the user sees them',
    ),
    async () => {
      const app = await throwawayApp({ schema, rules: createTrue });
      const db = app.client();
      const { code } = await app.admin.auth.generateMagicCode('e2e-new@test.com');
      const res = await db.auth.signInWithMagicCode({
        email: 'e2e-new@test.com',
        code,
        extraFields: { username: 'cool_user', displayName: 'Cool User' },
      });
      expect(res.created).toBe(true);
      const { data } = await db.queryOnce({ $users: {} });
      expect(data.$users.find((u) => u.email === 'e2e-new@test.com')).toMatchObject({
        username: 'cool_user',
        displayName: 'Cool User',
      });
    },
  );

  it(from(E2E, 'returning user gets created=false', 'and sign-in without extraFields works'), async () => {
    const app = await throwawayApp({ schema, rules: createTrue });
    const db = app.client();
    const first = await db.auth.signInWithMagicCode({
      email: 'e2e-back@test.com',
      code: (await app.admin.auth.generateMagicCode('e2e-back@test.com')).code,
    });
    expect(first).toMatchObject({ created: true, user: { email: 'e2e-back@test.com' } });
    const second = await db.auth.signInWithMagicCode({
      email: 'e2e-back@test.com',
      code: (await app.admin.auth.generateMagicCode('e2e-back@test.com')).code,
    });
    expect(second.created).toBe(false);
  });

  it(
    from(E2E, 'admin verify_magic_code returns { user, created } for checkMagicCode', 'nested user and created flag'),
    async () => {
      const app = await throwawayApp({ schema, rules: createTrue });
      const one = await app.admin.auth.checkMagicCode(
        'e2e-admin@test.com',
        (await app.admin.auth.generateMagicCode('e2e-admin@test.com')).code,
        {
          extraFields: { username: 'admin_user' },
        },
      );
      expect(one).toMatchObject({ created: true, user: { email: 'e2e-admin@test.com', username: 'admin_user' } });
      const two = await app.admin.auth.checkMagicCode(
        'e2e-admin@test.com',
        (await app.admin.auth.generateMagicCode('e2e-admin@test.com')).code,
      );
      expect(two.created).toBe(false);
    },
  );
});

describe('guests', () => {
  const guestRuntime = async (app: ThrowawayApp, body: Body = {}) =>
    (await runtime(app, '/runtime/auth/sign_in_guest', body)).body.user;
  const guestAdmin = async (app: ThrowawayApp, body: Body = {}) =>
    (await admin(app, '/admin/sign_in_guest', body)).body.user;

  it.each([
    { name: 'runtime guest, runtime verify', guest: guestRuntime, verify: verifyRuntime },
    { name: 'admin guest, admin verify', guest: guestAdmin, verify: verifyAdmin },
  ])(
    from(R, 'guest-test', 'a guest signs in, verifies, and becomes a user with its id ($name)'),
    async ({ guest: signIn, verify }) => {
      const app = await throwawayApp();
      /** Verifies a magic code for `email`, sent with this refresh token. */
      const verifyAs = async (email: string, refreshToken: string) =>
        (await verify(app, { email, code: await sendRuntime(app, email), 'refresh-token': refreshToken })).body.user;
      const guest = await signIn(app);
      expect(guest).toMatchObject({ type: 'guest', isGuest: true, email: null, refresh_token: expect.any(String) });
      expect(
        (await runtime(app, '/runtime/auth/verify_refresh_token', { 'refresh-token': guest.refresh_token })).body.user,
      ).toEqual(guest);
      const user = await verifyAs('1@b.c', guest.refresh_token);
      expect(user).toMatchObject({ id: guest.id, type: 'user', isGuest: false, email: '1@b.c' });
      // A second guest signing in as the now-existing user gets that user, not its own id.
      const guest2 = await signIn(app);
      const user2 = await verifyAs('1@b.c', guest2.refresh_token);
      expect(user2).toMatchObject({ id: guest.id, isGuest: false });
      // A non-guest's token is ignored.
      const user3 = await verifyAs('2@b.c', user2.refresh_token);
      expect(user3.id).not.toBe(user2.id);
    },
  );

  it(
    from(R, 'extra-fields-guest-upgrade-test', 'a guest with extra fields upgrades, the new fields written'),
    async () => {
      const app = await throwawayApp({ schema, rules: createTrue });
      const guest = await guestRuntime(app, { 'extra-fields': { username: 'guest_user' } });
      expect(guest).toMatchObject({ type: 'guest', username: 'guest_user' });
      const body = (
        await verifyRuntime(app, {
          email: 'guest@test.com',
          code: await sendRuntime(app, 'guest@test.com'),
          'refresh-token': guest.refresh_token,
          'extra-fields': { username: 'upgraded_user' },
        })
      ).body;
      expect(body).toMatchObject({ created: true, user: { id: guest.id } });
      expect(await app.admin.auth.getUser({ email: 'guest@test.com' })).toMatchObject({ username: 'upgraded_user' });
    },
  );

  it(from(R, 'users-create-rule-guest-test', 'guest sign-up follows the create rule'), async () => {
    const app = await throwawayApp({ schema });
    expect(
      (await runtime(app, '/runtime/auth/sign_in_guest', { 'extra-fields': { username: 'guest_user' } })).body.type,
    ).toBe('permission-denied');
    const closed = await throwawayApp({ schema, rules: { $users: { allow: { create: 'false' } } } });
    expect((await runtime(closed, '/runtime/auth/sign_in_guest', {})).status).toBe(400);
    const open = await throwawayApp({ schema, rules: createTrue });
    expect((await guestRuntime(open)).type).toBe('guest');
  });

  it(from(E2E, 'guest user with extraFields gets fields written', 'through the client SDK'), async () => {
    const app = await throwawayApp({ schema, rules: createTrue });
    const db = app.client();
    const res = await db.auth.signInAsGuest({ extraFields: { username: 'guest_user', displayName: 'Guest User' } });
    expect(res.user.isGuest).toBe(true);
    const { data } = await db.queryOnce({ $users: {} });
    expect(data.$users.find((u) => u.id === res.user.id)).toMatchObject({
      username: 'guest_user',
      displayName: 'Guest User',
    });
  });
});
