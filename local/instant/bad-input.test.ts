// Bad input gets an Instant-shaped error, to that caller only; nothing is half-written and the
// server keeps serving everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { id } from '@instantdb/core';
import { adminFor, clientFor, nextResult } from '../../tests/support/instant-clients.ts';
import { frameSocket } from './frame-socket.test-support.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';
import { testRules, testSchema } from './fixtures.test-schema.ts';

let server: InstantLocal;

beforeAll(async () => {
  server = await startInstantLocal({
    memory: true,
    schema: JSON.parse(JSON.stringify(testSchema)),
    rules: testRules,
    maxBodyBytes: 64 * 1024,
  });
});
afterAll(() => server.close());

const rawSocket = () => frameSocket(server);

describe('runtime socket', () => {
  it('answers malformed JSON and unknown ops with an error to that client only', async () => {
    const bad = await rawSocket();
    const good = await rawSocket();
    good.send({ op: 'init', 'app-id': server.appId, 'client-event-id': 'g1' });
    await good.next((m) => m.op === 'init-ok');

    bad.send('{not json');
    const err = await bad.next((m) => m.op === 'error');
    expect(err).toMatchObject({ type: 'param-malformed', status: 400 });
    bad.send({ op: 'add-query', q: { items: {} }, 'client-event-id': 'b1' });
    expect(await bad.next((m) => m['client-event-id'] === 'b1')).toMatchObject({
      op: 'error',
      message: expect.stringContaining('init'),
    });
    bad.send({ op: 'init', 'app-id': server.appId, 'client-event-id': 'b2' });
    await bad.next((m) => m.op === 'init-ok');
    bad.send({ op: 'frobnicate', 'client-event-id': 'b3' });
    expect(await bad.next((m) => m['client-event-id'] === 'b3')).toMatchObject({
      op: 'error',
      type: 'validation-failed',
    });

    good.send({ op: 'add-query', q: { items: {} }, 'client-event-id': 'g2' });
    expect(await good.next((m) => m['client-event-id'] === 'g2')).toMatchObject({ op: 'add-query-ok' });
    expect(good.inbox.filter((m) => m.op === 'error')).toEqual([]);
    bad.ws.close();
    good.ws.close();
  });

  it('rejects a transaction naming an unknown attribute, writing nothing of it', async () => {
    const s = await rawSocket();
    s.send({ op: 'init', 'app-id': server.appId, 'client-event-id': 'i' });
    const ok = await s.next((m) => m.op === 'init-ok');
    const idAttr = ok.attrs.find((a: any) => a['forward-identity'][1] === 'notes' && a['forward-identity'][2] === 'id');
    const e = id();
    s.send({
      op: 'transact',
      'client-event-id': 't',
      'tx-steps': [
        ['add-triple', e, idAttr.id, e],
        ['add-triple', e, 'no-such-attr', 1],
      ],
    });
    expect(await s.next((m) => m['client-event-id'] === 't')).toMatchObject({ op: 'error', type: 'validation-failed' });
    expect((await adminFor(server).query({ notes: { $: { where: { id: e } } } })).notes).toEqual([]);
    s.ws.close();
  });

  it('closes a socket that sends an oversized message and keeps serving others', async () => {
    const s = await rawSocket();
    const closed = new Promise((r) => s.ws.once('close', r));
    s.send({ op: 'init', pad: 'x'.repeat(128 * 1024) });
    await closed;
    const db = clientFor(server, testSchema);
    const r = await nextResult(db, { items: {} }, (x) => Boolean(x.data));
    expect(r.data!.items).toBeDefined();
    db.shutdown();
  });
});

describe('admin HTTP', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}?app_id=${server.appId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${server.adminToken}`,
        'app-id': server.appId,
        ...headers,
      },
      body,
    });

  it('answers a malformed body with param-malformed (400)', async () => {
    const res = await post('/admin/transact', '{oops');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'param-malformed' });
  });

  it('answers an oversized body with 413 and an Instant-shaped error', async () => {
    const res = await post('/admin/query', JSON.stringify({ query: { items: {} }, pad: 'x'.repeat(100 * 1024) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: 'validation-failed', message: expect.stringContaining('larger') });
  });

  it('rejects unknown namespaces and attributes when the schema is enforced', async () => {
    const res = await post(
      '/admin/transact',
      JSON.stringify({ steps: [['update', 'nope', id(), { a: 1 }]], 'throw-on-missing-attrs?': true }),
    );
    expect(res.status).toBe(400);
    // As upstream's admin model: one error naming every attribute the steps would have created.
    expect(await res.json()).toMatchObject({
      type: 'validation-failed',
      message: 'Validation failed for steps: Attributes are missing in your schema',
      hint: { errors: [{ hint: { attributes: ['nope.id', 'nope.a'] } }] },
    });
  });

  it('rejects a missing parameter with param-missing', async () => {
    const res = await fetch(`${server.url}/runtime/auth/send_magic_code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'app-id': server.appId }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'param-missing',
      message: 'Missing parameter: ["body" "email"]',
      hint: { in: ['body', 'email'] },
    });
  });
});

describe('schema reload', () => {
  it('applies new rules to live queries without a restart', async () => {
    const admin = adminFor(server);
    await admin.transact(admin.tx.notes[id()].update({ text: 'visible after reload' }));
    const db = clientFor(server, testSchema);
    await nextResult(db, { notes: {} }, (r) => r.data?.notes?.length === 0);
    const shown = nextResult(db, { notes: {} }, (r) => Boolean(r.data?.notes?.length));
    server.reload(JSON.parse(JSON.stringify(testSchema)), { ...testRules, notes: { allow: { view: 'true' } } });
    expect((await shown).data!.notes.map((n: any) => n.text)).toContain('visible after reload');
    server.reload(JSON.parse(JSON.stringify(testSchema)), testRules);
    db.shutdown();
  });
});
