// Fault controls of instant-local, through the unmodified SDKs and raw HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { id } from '@instantdb/core';
import { adminFor, clientFor, nextResult } from '../../tests/support/instant-clients.ts';
import { socketIdentity, transactIdentity } from './faults.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';
import { testRules, testSchema } from './fixtures.test-schema.ts';

let server: InstantLocal;
let admin: ReturnType<typeof adminFor>;
const clients: ReturnType<typeof clientFor>[] = [];

const control = (
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${server.adminToken}`, 'app-id': server.appId },
) =>
  fetch(`${server.url}/_local/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const setFaults = async (body: unknown) => {
  const res = await control('faults', body);
  expect(res.status).toBe(200);
  return (await res.json()) as { injected: Record<string, number> };
};
const injected = async () =>
  (
    (await (
      await fetch(`${server.url}/_local/faults`, {
        headers: { authorization: `Bearer ${server.adminToken}`, 'app-id': server.appId },
      })
    ).json()) as any
  ).injected;
/** A client with a first result in, and the connection statuses it goes through from then on. */
async function connected() {
  const db = clientFor(server, testSchema);
  clients.push(db);
  await nextResult(db, { items: {} }, (r) => Boolean(r.data));
  const statuses: string[] = [];
  db._reactor.subscribeConnectionStatus((s: string) => statuses.push(s));
  return { db, statuses };
}
const names = async () => (await admin.query({ items: {} })).items.map((x: any) => x.name).sort();

beforeAll(async () => {
  server = await startInstantLocal({ memory: true, schema: JSON.parse(JSON.stringify(testSchema)), rules: testRules });
  admin = adminFor(server, testSchema);
});
afterAll(async () => {
  for (const db of clients) db.shutdown();
  await server.close();
});

describe('instant-local faults', () => {
  it('refuses the fault API to a stranger: no token, a wrong token, another app id', async () => {
    const rule = { rules: [{ path: '*', rates: { refuse: 1 } }] };
    const attempts = [
      await control('faults', rule, {}),
      await control('faults', rule, { authorization: `Bearer ${id()}`, 'app-id': server.appId }),
      await control('faults', rule, { authorization: `Bearer ${server.adminToken}`, 'app-id': id() }),
      await control('faults/drop-sockets', {}, {}),
      await fetch(`${server.url}/_local/faults?app_id=${server.appId}`),
    ];
    for (const res of attempts) expect(res.status).toBeGreaterThanOrEqual(400);
    expect(attempts.map((r) => r.status)).not.toContain(500);
    // Nothing was switched on: a write goes through.
    await admin.transact(admin.tx.items[id()].update({ name: 'unharmed', order: 1 }));
    expect(await names()).toContain('unharmed');
  });

  it('a bad configuration is a 400 naming the field', async () => {
    const res = await control('faults', { rules: [{ path: '*', rates: { lost_answer: 3 } }] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/rates/);
  });

  it('lost_answer commits the transaction and then drops the answer', async () => {
    await setFaults({ rules: [{ path: '/admin/transact', match: 'lost-one', max: 1, rates: { lost_answer: 1 } }] });
    await expect(admin.transact(admin.tx.items[id()].update({ name: 'lost-one', order: 1 }))).rejects.toThrow();
    expect(await injected()).toEqual({ lost_answer: 1 });
    await setFaults({});
    expect(await names()).toContain('lost-one');
  });

  it('refuse writes nothing and answers a 503', async () => {
    await setFaults({ rules: [{ path: '/admin/transact', match: 'refused-one', rates: { refuse: 1 } }] });
    const err = await admin.transact(admin.tx.items[id()].update({ name: 'refused-one', order: 1 })).catch((e) => e);
    expect(err?.status).toBe(503);
    await setFaults({});
    expect(await names()).not.toContain('refused-one');
  });

  it('counts injected faults by kind', async () => {
    await setFaults({ rules: [{ path: '/admin/query', max: 2, rates: { refuse: 1 } }] });
    await expect(names()).rejects.toThrow();
    await expect(names()).rejects.toThrow();
    expect(await injected()).toEqual({ refuse: 2 });
    await setFaults({});
  });

  it('a dropped socket reconnects and the live query gets what was written meanwhile', async () => {
    const { db, statuses } = await connected();
    const dropped = (await (await control('faults/drop-sockets', {})).json()) as { dropped: number };
    expect(dropped.dropped).toBe(1);
    const live = nextResult(db, { items: {} }, (r) =>
      Boolean(r.data?.items?.some((x: any) => x.name === 'after-drop')),
    );
    await admin.transact(admin.tx.items[id()].update({ name: 'after-drop', order: 1 }));
    expect((await live).data!.items.map((x: any) => x.name)).toContain('after-drop');
    expect(statuses).toContain('closed');
  });

  it('drop_socket on a socket message drops that connection, and the client comes back', async () => {
    const { db, statuses } = await connected();
    await setFaults({ rules: [{ path: 'ws:add-query', max: 1, rates: { drop_socket: 1 } }] });
    const result = await nextResult(db, { items: { $: { where: { name: 'after-drop' } } } }, (r) =>
      Boolean(r.data?.items?.length),
    );
    expect(await injected()).toEqual({ drop_socket: 1 });
    await setFaults({});
    expect(result.data!.items.map((x: any) => x.name)).toEqual(['after-drop']);
    expect(statuses).toContain('closed');
  });
});

describe('instant-local fault identities', () => {
  const derived = '5d7c2a40-1f3e-5b6a-8c9d-0e1f2a3b4c5d';
  const random = () => '3f2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d'.replace('3f2b', Math.random().toString(16).slice(2, 6));
  it('name a transaction by its steps, entities and attributes, not by values or random ids', () => {
    const step = (at: number, entry: string) => [
      ['update', 'purchases', derived, { status: 'paid', updatedAt: at }],
      ['create', 'webhookEvents', entry, { receivedAt: at }],
      ['link', 'purchases', derived, { owner: derived }],
    ];
    expect(transactIdentity(step(1, random()))).toBe(transactIdentity(step(2, random())));
    const other = [['update', 'purchases', derived, { status: 'paid', email: 'a@example.com' }]];
    expect(transactIdentity(other)).not.toBe(transactIdentity(step(1, random())));
  });

  it('name a socket message by its op and content, without its client event id', () => {
    const msg = (eventId: string) => JSON.stringify({ op: 'add-query', q: { items: {} }, 'client-event-id': eventId });
    expect(socketIdentity('add-query', msg(random()))).toBe(socketIdentity('add-query', msg(random())));
    expect(socketIdentity('add-query', msg('x'))).not.toBe(socketIdentity('remove-query', msg('x')));
  });
});
