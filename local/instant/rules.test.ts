// Rule semantics beyond the shop's own rules: lookup order, newData, auth.ref, request.time,
// offsets with page info, and magic-code expiry.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { i, id } from '@instantdb/core';
import { adminFor, clientFor, nextResult } from '../../tests/support/instant-clients.ts';
import { link } from './fixtures.test-schema.ts';
import { App, MAGIC_CODE_TTL_MS } from './app.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';

const schema = i.schema({
  entities: {
    $users: i.entity({ email: i.string().unique().indexed().optional() }),
    docs: i.entity({ title: i.string(), score: i.number().indexed(), locked: i.boolean().optional() }),
    teams: i.entity({ name: i.string() }),
    memos: i.entity({ body: i.string() }),
  },
  links: {
    teamMembers: link(['teams', 'many', 'members'], ['$users', 'many', 'teams']),
    memoTeam: link(['memos', 'one', 'team'], ['teams', 'many', 'memos']),
  },
});

const rules = {
  $default: { allow: { view: 'true', $default: 'false' } },
  // With a global $default, sign-up needs its own rule (Instant checks $users create at sign-up).
  $users: { allow: { create: 'true', view: 'auth.id == data.id' } },
  docs: {
    allow: {
      // etype-level $default comes before the global $default rules.
      $default: 'auth.id != null',
      // newData: the update may not lock a doc; data: a locked doc cannot change.
      update: 'auth.id != null && data.locked != true && newData.locked != true',
      view: "request.time > timestamp('2020-01-01T00:00:00Z')",
    },
  },
  memos: { allow: { view: "data.ref('team.id').exists(t, t in auth.ref('$user.teams.id'))" } },
};

let server: InstantLocal;
let admin: ReturnType<typeof adminFor>;

beforeAll(async () => {
  server = await startInstantLocal({ memory: true, schema: JSON.parse(JSON.stringify(schema)), rules });
  admin = adminFor(server);
});
afterAll(() => server.close());

async function userToken(email: string) {
  const token = await admin.auth.createToken({ email });
  return { token, id: (await admin.auth.verifyToken(token)).id };
}

describe('lookup order and variables', () => {
  it('uses the namespace $default before the global one, and newData/data in update', async () => {
    const u = await userToken('writer@example.com');
    const as = admin.asUser({ token: u.token });
    const doc = id();
    await as.transact(as.tx.docs[doc].update({ title: 'a', score: 1 }));
    await as.transact(as.tx.docs[doc].update({ title: 'b' }));
    await expect(as.transact(as.tx.docs[doc].update({ locked: true }))).rejects.toMatchObject({
      body: { type: 'permission-denied' },
    });
    await admin.transact(admin.tx.docs[doc].update({ locked: true }));
    await expect(as.transact(as.tx.docs[doc].update({ title: 'c' }))).rejects.toMatchObject({
      body: { type: 'permission-denied' },
    });
    await expect(
      admin.asUser({ guest: true }).transact(admin.tx.docs[id()].update({ title: 'x', score: 1 })),
    ).rejects.toMatchObject({ body: { type: 'permission-denied' } });
    // teams have no rules of their own: the global $default view (true) applies, writes are false.
    await expect(as.transact(as.tx.teams[id()].update({ name: 't' }))).rejects.toMatchObject({
      body: { type: 'permission-denied' },
    });
    // request.time is a timestamp.
    expect((await admin.asUser({ guest: true }).query({ docs: {} })).docs.length).toBeGreaterThan(0);
  });

  it('follows links from the signed-in user with auth.ref', async () => {
    const member = await userToken('member@example.com');
    const outsider = await userToken('outsider@example.com');
    const team = id();
    await admin.transact([
      admin.tx.teams[team].update({ name: 'core' }).link({ members: member.id }),
      admin.tx.memos[id()].update({ body: 'for the team' }).link({ team }),
    ]);
    expect((await admin.asUser({ token: member.token }).query({ memos: {} })).memos).toHaveLength(1);
    expect((await admin.asUser({ token: outsider.token }).query({ memos: {} })).memos).toHaveLength(0);
  });
});

describe('$users defaults', () => {
  it('signs users up under a global $default deny: only $users.allow.create decides, and admins bypass it', async () => {
    const mails: { to: string; code: string }[] = [];
    const strict = await startInstantLocal({
      memory: true,
      schema: JSON.parse(JSON.stringify(schema)),
      rules: { $default: { allow: { $default: 'false' } } },
      sendMail: async (m) => void mails.push(m),
    });
    try {
      const token = await adminFor(strict).auth.createToken({ email: 'nobody@example.com' });
      expect((await adminFor(strict).auth.verifyToken(token)).email).toBe('nobody@example.com');
      const db = clientFor(strict, schema);
      try {
        await db.auth.sendMagicCode({ email: 'client@example.com' });
        const { user } = await db.auth.signInWithMagicCode({ email: 'client@example.com', code: mails.at(-1)!.code });
        expect(user.email).toBe('client@example.com');
      } finally {
        db.shutdown();
      }
      strict.reload(JSON.parse(JSON.stringify(schema)), { $users: { allow: { create: 'false' } } });
      await expect(adminFor(strict).auth.createToken({ email: 'admin-made@example.com' })).resolves.toEqual(
        expect.any(String),
      );
    } finally {
      await strict.close();
    }
  });
});

describe('paging', () => {
  it('answers offset and limit, and the client SDK pages with the page info', async () => {
    await admin.transact(
      Array.from({ length: 10 }, (_, n) => admin.tx.docs[id()].update({ title: `p${n}`, score: 100 + n })),
    );
    const page = await admin.query({
      docs: { $: { where: { score: { $gte: 100 } }, order: { score: 'asc' }, offset: 3, limit: 4 } },
    });
    expect(page.docs.map((d: any) => d.score)).toEqual([103, 104, 105, 106]);
    const db = clientFor(server, schema);
    const r = await nextResult(
      db,
      { docs: { $: { where: { score: { $gte: 100 } }, order: { score: 'asc' }, offset: 3, limit: 4 } } },
      (x) => Boolean(x.data?.docs?.length),
    );
    expect(r.data!.docs.map((d: any) => d.score)).toEqual([103, 104, 105, 106]);
    db.shutdown();
  });
});

describe('magic codes', () => {
  it('sends through the admin SDK too', async () => {
    const { code } = await admin.auth.sendMagicCode('admin-sent@example.com');
    expect((await admin.auth.verifyMagicCode('admin-sent@example.com', code)).email).toBe('admin-sent@example.com');
  });

  it("expire after Instant's 24 hours", async () => {
    const app = new App(
      { id: id(), title: 't', adminToken: 'x', schema: JSON.parse(JSON.stringify(schema)) },
      async () => {},
      async () => {},
    );
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const code = app.generateMagicCode('late@example.com');
      vi.setSystemTime(Date.now() + MAGIC_CODE_TTL_MS + 1000);
      await expect(app.verifyMagicCode('late@example.com', code)).rejects.toMatchObject({ type: 'record-expired' });
      const fresh = app.generateMagicCode('late@example.com');
      await expect(app.verifyMagicCode('late@example.com', fresh)).resolves.toMatchObject({ created: true });
    } finally {
      vi.useRealTimers();
    }
  });
});
