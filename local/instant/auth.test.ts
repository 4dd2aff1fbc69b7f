// Magic codes, refresh tokens, sign out, impersonation and throwaway apps, through the real SDKs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { id } from '@instantdb/core';
import { adminFor, clientFor, nextResult } from '../../tests/support/instant-clients.ts';
import { MAGIC_CODES_PER_HOUR } from './app.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';
import { testRules, testSchema } from './fixtures.test-schema.ts';

let server: InstantLocal;
const mails: { to: string; code: string }[] = [];
const clients: ReturnType<typeof clientFor>[] = [];

beforeAll(async () => {
  server = await startInstantLocal({
    memory: true,
    schema: JSON.parse(JSON.stringify(testSchema)),
    rules: testRules,
    sendMail: async (m) => void mails.push(m),
  });
});
afterAll(async () => {
  clients.forEach((c) => c.shutdown());
  await server.close();
});

const lastCodeFor = (email: string) => [...mails].reverse().find((m) => m.to === email)?.code;

describe('magic codes', () => {
  it('signs a client in with a mailed 6-digit code, creating the $users entity once', async () => {
    const db = clientFor(server, testSchema);
    clients.push(db);
    await db.auth.sendMagicCode({ email: '  Buyer@Example.COM ' });
    const code = lastCodeFor('buyer@example.com');
    expect(code).toMatch(/^\d{6}$/);
    const { user } = await db.auth.signInWithMagicCode({ email: 'buyer@example.com', code: code! });
    expect(user.email).toBe('buyer@example.com');
    const me = await nextResult(db, { $users: {} }, (r) => Boolean(r.data?.$users?.length));
    expect(me.data!.$users.map((u: any) => u.id)).toEqual([user.id]);

    // A second sign-in finds the same user.
    await db.auth.sendMagicCode({ email: 'buyer@example.com' });
    const again = await adminFor(server).auth.verifyMagicCode('BUYER@example.com', lastCodeFor('buyer@example.com')!);
    expect(again.id).toBe(user.id);
  });

  it("rejects a wrong code and a reused code with Instant's error", async () => {
    const admin = adminFor(server);
    const { code } = await admin.auth.generateMagicCode('once@example.com');
    await admin.auth.verifyMagicCode('once@example.com', code);
    await expect(admin.auth.verifyMagicCode('once@example.com', code)).rejects.toMatchObject({
      body: { type: 'record-not-found' },
    });
    await expect(admin.auth.verifyMagicCode('once@example.com', '000000')).rejects.toMatchObject({ status: 400 });
  });

  it('rate-limits sending codes per email, as Instant does', async () => {
    const db = clientFor(server, testSchema);
    clients.push(db);
    for (let n = 0; n < MAGIC_CODES_PER_HOUR; n++) await db.auth.sendMagicCode({ email: 'spam@example.com' });
    await expect(db.auth.sendMagicCode({ email: 'spam@example.com' })).rejects.toMatchObject({
      status: 429,
      body: { type: 'rate-limited' },
    });
  });
});

describe('tokens and sign out', () => {
  it('verifies refresh tokens and forgets them on sign out', async () => {
    const admin = adminFor(server);
    const token = await admin.auth.createToken({ email: 'tok@example.com' });
    expect((await admin.auth.verifyToken(token)).email).toBe('tok@example.com');
    expect((await admin.auth.getUser({ email: 'TOK@example.com' }))?.email).toBe('tok@example.com');
    await admin.auth.signOut({ email: 'tok@example.com' });
    await expect(admin.auth.verifyToken(token)).rejects.toMatchObject({ body: { type: 'record-not-found' } });
  });

  it('refuses admin calls with a wrong admin token as Instant does (400 record-not-found) and serves impersonation', async () => {
    const wrong = adminFor({ ...server, adminToken: id() });
    await expect(wrong.query({ items: {} })).rejects.toMatchObject({
      status: 400,
      body: { type: 'record-not-found', hint: { 'record-type': 'app-admin-token' } },
    });
    const admin = adminFor(server);
    await admin.transact(admin.tx.purchases[id()].update({ token: 'imp', email: 'imp@example.com', status: 'paid' }));
    await admin.auth.createToken({ email: 'imp@example.com' });
    expect((await admin.asUser({ email: 'imp@example.com' }).query({ purchases: {} })).purchases).toHaveLength(1);
    expect((await admin.asUser({ guest: true }).query({ purchases: {} })).purchases).toHaveLength(0);
  });
});

describe('throwaway apps', () => {
  it('creates an app with its own schema and rules at POST /dash/apps/ephemeral', async () => {
    const res = await fetch(`${server.url}/dash/apps/ephemeral`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'scratch',
        schema: JSON.parse(JSON.stringify(testSchema)),
        rules: { code: { items: { allow: { view: 'false' } } } },
      }),
    });
    expect(res.status).toBe(200);
    const { app } = await res.json();
    const admin = adminFor({ url: server.url, appId: app.id, adminToken: app['admin-token'] });
    await admin.transact(admin.tx.items[id()].update({ name: 'hidden', order: 1 }));
    expect((await admin.query({ items: {} })).items).toHaveLength(1);
    expect((await admin.asUser({ guest: true }).query({ items: {} })).items).toHaveLength(0);
    // The main app does not see the throwaway app's data.
    expect((await adminFor(server).query({ items: { $: { where: { name: 'hidden' } } } })).items).toHaveLength(0);
  });
});
