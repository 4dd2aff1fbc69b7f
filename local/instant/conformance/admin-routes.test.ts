// The admin HTTP API's auth and its errors, as Instant's server answers them
// (server/test/instant/admin/routes_test.clj; instant.admin.routes, instant.util.exception).
import { describe, expect, it } from 'vitest';
import { i, id } from '@instantdb/core';
import { adminFor } from '../../../tests/support/instant-clients.ts';
import { from, throwawayApp, type ThrowawayApp } from './harness.ts';

const F = 'routes_test.clj';
const schema = i.schema({ entities: { goals: i.entity({ title: i.string() }) } });

async function call(
  app: ThrowawayApp,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string | undefined>,
) {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const bearer = (t: string) => `Bearer ${t}`;

describe('admin token and app id', () => {
  const endpoints = [
    { name: 'query', path: '/admin/query', body: { query: { goals: {} } } },
    { name: 'transact', path: '/admin/transact', body: { steps: [['update', 'goals', id(), { title: 'moop' }]] } },
  ];

  it.each(endpoints)(
    from(F, 'query-test / transact-test', '$name: no app id, no token, wrong combination, right combination'),
    async ({ path, body }) => {
      const app = await throwawayApp({ schema });
      const other = await throwawayApp({ schema });
      expect(await call(app, 'POST', path, body, { authorization: bearer(app.adminToken) })).toEqual({
        status: 400,
        body: {
          type: 'param-missing',
          message: 'Missing parameter: ["headers" "app-id"]',
          hint: { in: ['headers', 'app-id'], 'possible-ins': [['query-params', 'app_id']] },
        },
      });
      expect(await call(app, 'POST', path, body, { 'app-id': app.appId })).toEqual({
        status: 400,
        body: {
          type: 'param-missing',
          message: 'Missing parameter: ["headers" "authorization"]',
          hint: { in: ['headers', 'authorization'] },
        },
      });
      const wrong = await call(app, 'POST', path, body, {
        'app-id': other.appId,
        authorization: bearer(app.adminToken),
      });
      expect(wrong).toEqual({
        status: 400,
        body: {
          type: 'record-not-found',
          message: 'Record not found: app-admin-token',
          hint: {
            'record-type': 'app-admin-token',
            args: [{ 'app-id': other.appId }],
            message: 'This admin token may be expired or invalid. Or you may have provided an incorrect app ID.',
          },
        },
      });
      // The answer never carries the token that was sent.
      expect(JSON.stringify(wrong.body)).not.toContain(app.adminToken);
      expect(
        (await call(app, 'POST', path, body, { 'app-id': app.appId, authorization: bearer(app.adminToken) })).status,
      ).toBe(200);
    },
  );

  it(
    from('admin/routes.clj', 'req->app-id-authed!', 'an unknown app, a malformed app id and a malformed token'),
    async () => {
      const app = await throwawayApp({ schema });
      const q = { query: { goals: {} } };
      expect(
        await call(app, 'POST', '/admin/query', q, { 'app-id': id(), authorization: bearer(app.adminToken) }),
      ).toMatchObject({
        status: 400,
        body: { type: 'record-not-found', hint: { 'record-type': 'app-admin-token' } },
      });
      expect(
        await call(app, 'POST', '/admin/query', q, { 'app-id': 'not-a-uuid', authorization: bearer(app.adminToken) }),
      ).toEqual({
        status: 400,
        body: {
          type: 'param-malformed',
          message: 'Malformed parameter: ["headers" "app-id"]',
          hint: {
            in: ['headers', 'app-id'],
            'possible-ins': [
              ['headers', 'app-id'],
              ['query-params', 'app_id'],
            ],
            'original-input': 'not-a-uuid',
          },
        },
      });
      expect(
        await call(app, 'POST', '/admin/query', q, { 'app-id': app.appId, authorization: 'Bearer nope' }),
      ).toMatchObject({
        status: 400,
        body: { type: 'param-malformed', message: 'Malformed parameter: ["headers" "authorization"]' },
      });
      // The app id may come as `?app_id=` instead of the header, as the admin SDK also sends it.
      expect(
        (await call(app, 'POST', `/admin/query?app_id=${app.appId}`, q, { authorization: bearer(app.adminToken) }))
          .status,
      ).toBe(200);
    },
  );

  it(from(F, 'query-test', 'the admin SDK sees the same errors'), async () => {
    const app = await throwawayApp({ schema });
    const other = await throwawayApp({ schema });
    await expect(
      adminFor({ url: app.url, appId: other.appId, adminToken: app.adminToken }).query({ goals: {} }),
    ).rejects.toMatchObject({
      status: 400,
      body: { type: 'record-not-found' },
    });
  });

  it(from(F, 'optional-admin-token-test', 'which impersonation needs the admin token'), async () => {
    const app = await throwawayApp({ schema });
    const token = await app.admin.auth.createToken({ email: 'alyssa_p_hacker@instantdb.com' });
    const q = { query: { goals: {} } };
    const post = (headers: Record<string, string>) =>
      call(app, 'POST', '/admin/query', q, { 'app-id': app.appId, ...headers });
    expect(await post({})).toMatchObject({ status: 400, body: { type: 'param-missing' } });
    expect((await post({ authorization: bearer(app.adminToken) })).status).toBe(200);
    expect((await post({ 'as-token': token })).status).toBe(200);
    expect((await post({ authorization: bearer(app.adminToken), 'as-token': token })).status).toBe(200);
    expect(await post({ 'as-email': 'alyssa_p_hacker@instantdb.com' })).toMatchObject({
      status: 400,
      body: { type: 'param-missing' },
    });
    expect(
      (await post({ authorization: bearer(app.adminToken), 'as-email': 'alyssa_p_hacker@instantdb.com' })).status,
    ).toBe(200);
    expect((await post({ 'as-guest': 'true' })).status).toBe(200);
    expect((await post({ authorization: bearer(app.adminToken), 'as-guest': 'true' })).status).toBe(200);
  });

  it(
    from(
      'admin/routes.clj',
      'get-perms!',
      "a stranger: malformed as-token, another app's user token, a wrong admin token with as-email",
    ),
    async () => {
      const app = await throwawayApp({ schema });
      const other = await throwawayApp({ schema });
      const theirs = await other.admin.auth.createToken({ email: 'them@b.c' });
      await app.admin.auth.createToken({ email: 'victim@b.c' });
      const q = { query: { goals: {} } };
      expect(await call(app, 'POST', '/admin/query', q, { 'app-id': app.appId, 'as-token': 'x' })).toMatchObject({
        status: 400,
        body: { type: 'param-malformed', message: 'Malformed parameter: ["asUser" "token"]' },
      });
      expect(await call(app, 'POST', '/admin/query', q, { 'app-id': app.appId, 'as-token': theirs })).toMatchObject({
        status: 400,
        body: { type: 'record-not-found', hint: { 'record-type': 'app-user' } },
      });
      expect(
        await call(app, 'POST', '/admin/query', q, {
          'app-id': app.appId,
          authorization: bearer(other.adminToken),
          'as-email': 'victim@b.c',
        }),
      ).toMatchObject({
        status: 400,
        body: { type: 'record-not-found', hint: { 'record-type': 'app-admin-token' } },
      });
      for (const path of [
        '/admin/refresh_tokens',
        '/admin/magic_code',
        '/admin/verify_magic_code',
        '/admin/sign_out',
        '/admin/sign_in_guest',
      ]) {
        // Impersonation headers give no access to the auth endpoints.
        const r = await call(
          app,
          'POST',
          path,
          { email: 'victim@b.c', code: '123456' },
          { 'app-id': app.appId, 'as-guest': 'true', 'as-token': theirs },
        );
        expect(r, path).toMatchObject({
          status: 400,
          body: { type: 'param-missing', hint: { in: ['headers', 'authorization'] } },
        });
      }
    },
  );
});

describe('users', () => {
  const headersOf = (app: ThrowawayApp) => ({ 'app-id': app.appId, authorization: bearer(app.adminToken) });

  it(from(F, 'refresh-tokens-test', 'a token for an email, and for an id (creating that user)'), async () => {
    const app = await throwawayApp();
    const byEmail = await call(app, 'POST', '/admin/refresh_tokens', { email: 'stopa1@instantdb.com' }, headersOf(app));
    expect(byEmail).toMatchObject({
      status: 200,
      body: { created: true, user: { email: 'stopa1@instantdb.com', refresh_token: expect.any(String) } },
    });
    const uid = id();
    const byId = await call(app, 'POST', '/admin/refresh_tokens', { id: uid }, headersOf(app));
    expect(byId).toMatchObject({
      status: 200,
      body: { created: true, user: { id: uid, email: null, refresh_token: expect.any(String) } },
    });
    const both = id();
    const withBoth = await call(
      app,
      'POST',
      '/admin/refresh_tokens',
      { email: 'both@instantdb.com', id: both },
      headersOf(app),
    );
    expect(withBoth.body).toMatchObject({ created: true, user: { id: both, email: 'both@instantdb.com' } });
    // The admin SDK's createToken({ id }) finds that same user.
    const token = await app.admin.auth.createToken({ id: uid });
    expect((await app.admin.auth.verifyToken(token)).id).toBe(uid);
    expect(await call(app, 'POST', '/admin/refresh_tokens', {}, headersOf(app))).toEqual({
      status: 400,
      body: {
        type: 'validation-failed',
        message: 'Validation failed for body: Please provide an `email` or `id`',
        hint: { 'data-type': 'body', input: {}, errors: [{ message: 'Please provide an `email` or `id`' }] },
      },
    });
    expect(await call(app, 'POST', '/admin/refresh_tokens', { email: 'not an email' }, headersOf(app))).toMatchObject({
      status: 400,
      body: { type: 'param-malformed', message: 'Malformed parameter: ["body" "email"]' },
    });
  });

  it(from(F, 'sign-out-test', 'by email and by id every token goes, by refresh_token one'), async () => {
    const app = await throwawayApp();
    const email = 'stopa@instantdb.com';
    const make = () => app.admin.auth.createToken({ email });
    const live = async (t: string) =>
      (await call(app, 'POST', '/runtime/auth/verify_refresh_token', { 'app-id': app.appId, 'refresh-token': t }, {}))
        .status === 200;
    const signOut = (body: unknown) => call(app, 'POST', '/admin/sign_out', body, headersOf(app));

    let [t1, t2] = [await make(), await make()];
    expect(await signOut({ email })).toEqual({ status: 200, body: { ok: true } });
    expect([await live(t1), await live(t2)]).toEqual([false, false]);

    [t1, t2] = [await make(), await make()];
    const uid = (await app.admin.auth.verifyToken(t1)).id;
    expect((await signOut({ id: uid })).status).toBe(200);
    expect([await live(t1), await live(t2)]).toEqual([false, false]);

    [t1, t2] = [await make(), await make()];
    expect((await signOut({ refresh_token: t2 })).status).toBe(200);
    expect([await live(t1), await live(t2)]).toEqual([true, false]);

    expect(await signOut({})).toMatchObject({
      status: 400,
      body: {
        type: 'validation-failed',
        message: 'Validation failed for body: Please provide an `id`, `email`, or `refresh_token`',
      },
    });
    expect(await signOut({ email: 'nobody@instantdb.com' })).toMatchObject({
      status: 400,
      body: { type: 'record-not-found', hint: { 'record-type': 'app-user' } },
    });
  });

  it(from(F, 'app-users-get-test', 'null for no user; found by email, id and refresh token'), async () => {
    const app = await throwawayApp();
    const email = 'stopa@instantdb.com';
    expect(await call(app, 'GET', `/admin/users?email=${email}`, undefined, headersOf(app))).toEqual({
      status: 200,
      body: { user: null },
    });
    const token = await app.admin.auth.createToken({ email });
    const user = await app.admin.auth.verifyToken(token);
    expect((await app.admin.auth.getUser({ email }))?.email).toBe(email);
    expect((await app.admin.auth.getUser({ id: user.id }))?.id).toBe(user.id);
    expect((await app.admin.auth.getUser({ refresh_token: token }))?.email).toBe(email);
    expect(await call(app, 'GET', '/admin/users', undefined, headersOf(app))).toMatchObject({
      status: 400,
      body: {
        type: 'validation-failed',
        message: 'Validation failed for params: Please provide a user id, email, or refresh_token',
      },
    });
    expect(await call(app, 'GET', '/admin/users?id=nope', undefined, headersOf(app))).toMatchObject({
      status: 400,
      body: { type: 'param-malformed', message: 'Malformed parameter: ["params" "id"]' },
    });
  });

  it(from(F, 'app-users-delete-test', 'null for no user; deleted by email, id and refresh token'), async () => {
    const app = await throwawayApp();
    const email = 'stopa@instantdb.com';
    expect(await app.admin.auth.deleteUser({ email })).toBeNull();
    await app.admin.auth.createToken({ email });
    expect((await app.admin.auth.deleteUser({ email }))?.email).toBe(email);
    const byId = await app.admin.auth.verifyToken(await app.admin.auth.createToken({ email }));
    expect((await app.admin.auth.deleteUser({ id: byId.id }))?.id).toBe(byId.id);
    const token = await app.admin.auth.createToken({ email });
    const deleted = await app.admin.auth.deleteUser({ refresh_token: token });
    expect(deleted).toMatchObject({ email, app_id: app.appId });
    expect(await app.admin.auth.getUser({ email })).toBeNull();
  });
});

describe('runtime auth parameters', () => {
  it(from('runtime/routes.clj', 'send-magic-code-post', 'missing and malformed email and app id'), async () => {
    const app = await throwawayApp();
    const post = (body: unknown) => call(app, 'POST', '/runtime/auth/send_magic_code', body, {});
    expect(await post({ 'app-id': app.appId })).toEqual({
      status: 400,
      body: { type: 'param-missing', message: 'Missing parameter: ["body" "email"]', hint: { in: ['body', 'email'] } },
    });
    expect(await post({ 'app-id': app.appId, email: 'nope' })).toEqual({
      status: 400,
      body: {
        type: 'param-malformed',
        message: 'Malformed parameter: ["body" "email"]',
        hint: { in: ['body', 'email'], 'original-input': 'nope' },
      },
    });
    expect(await post({ email: 'a@b.c' })).toMatchObject({
      status: 400,
      body: { type: 'param-missing', hint: { in: ['body', 'app-id'] } },
    });
    expect(await post({ email: 'a@b.c', 'app-id': id() })).toMatchObject({
      status: 400,
      body: { type: 'record-not-found', hint: { 'record-type': 'app' } },
    });
  });

  it(from('runtime/routes.clj', 'verify-refresh-token-post', 'an unknown or malformed refresh token'), async () => {
    const app = await throwawayApp();
    const post = (t: string) =>
      call(app, 'POST', '/runtime/auth/verify_refresh_token', { 'app-id': app.appId, 'refresh-token': t }, {});
    expect(await post(id())).toMatchObject({
      status: 400,
      body: { type: 'record-not-found', hint: { 'record-type': 'app-user' } },
    });
    expect(await post('nope')).toMatchObject({
      status: 400,
      body: { type: 'param-malformed', hint: { in: ['body', 'refresh-token'] } },
    });
  });

  it(from('ephemeral_app.clj', 'http-post-handler', 'an ephemeral app needs a title'), async () => {
    const app = await throwawayApp();
    expect(await call(app, 'POST', '/dash/apps/ephemeral', {}, {})).toEqual({
      status: 400,
      body: { type: 'param-missing', message: 'Missing parameter: ["body" "title"]', hint: { in: ['body', 'title'] } },
    });
  });
});
