// What instant-local derives once instead of per request must follow the schema and the request:
// the required attributes per namespace are re-derived after every change to the attributes
// (a schema reload, an add-attr or delete-attr step, a failed transaction's rollback), and
// request paths split without URL route as URL would route them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { i, id } from '@instantdb/admin';
import { adminFor } from '../../tests/support/instant-clients.ts';
import type { SchemaJson } from './attrs.ts';
import { attrDef } from './conformance/raw-session.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';

const schemaWith = (required: boolean): SchemaJson =>
  JSON.parse(
    JSON.stringify(
      i.schema({
        entities: {
          notes: i.entity({ title: required ? i.string() : i.string().optional(), n: i.number() }),
          tags: i.entity({ n: i.number() }),
          marks: i.entity({ n: i.number() }),
        },
        links: {},
      }),
    ),
  );

let server: InstantLocal;

beforeAll(async () => {
  server = await startInstantLocal({ memory: true, schema: schemaWith(false) });
});
afterAll(() => server.close());

describe('derived per schema', () => {
  it('re-derives the required attributes after a schema reload, both ways', async () => {
    const admin = adminFor(server);
    const note = id();
    await admin.transact(admin.tx.notes[note].update({ n: 1 })); // no title: optional
    server.reload(schemaWith(true), undefined);
    await expect(admin.transact(admin.tx.notes[note].update({ n: 2 }))).rejects.toMatchObject({
      body: { type: 'validation-failed', message: expect.stringContaining('Missing required attribute `notes/title`') },
    });
    server.reload(schemaWith(false), undefined);
    await admin.transact(admin.tx.notes[note].update({ n: 3 }));
    expect((await admin.query({ notes: {} })).notes).toEqual([{ id: note, n: 3 }]);
  });
});

describe('derived per attribute change', () => {
  /** Admin `/admin/transact` over raw HTTP, with the steps' attribute changes as upstream takes them. */
  const transact = async (steps: unknown[]) => {
    const res = await fetch(`${server.url}/admin/transact`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${server.adminToken}`,
        'app-id': server.appId,
      },
      body: JSON.stringify({ steps }),
    });
    return { status: res.status, body: (await res.json()) as { message?: string } };
  };
  const missing = (etype: string) => ({
    status: 400,
    body: expect.objectContaining({
      message: expect.stringContaining(`Missing required attribute \`${etype}/label\``),
    }),
  });
  /** Makes the catalog derive `etype`'s required attributes (none yet), then leaves `etype` empty. */
  const derive = async (etype: string) => {
    const e = id();
    expect((await transact([['update', etype, e, { n: 0 }]])).status).toBe(200);
    expect((await transact([['delete', etype, e]])).status).toBe(200);
  };

  it('sees a required attribute added by an add-attr step, and its removal by delete-attr', async () => {
    await derive('tags');
    const label = attrDef('tags', 'label', { 'required?': true });
    expect((await transact([['add-attr', label]])).status).toBe(200);
    expect(await transact([['update', 'tags', id(), { n: 1 }]])).toMatchObject(missing('tags'));
    expect((await transact([['update', 'tags', id(), { n: 1, label: 'x' }]])).status).toBe(200);

    expect((await transact([['delete-attr', label.id]])).status).toBe(200);
    expect((await transact([['update', 'tags', id(), { n: 2 }]])).status).toBe(200);
  });

  it('forgets a required attribute whose add-attr was undone with its failed transaction', async () => {
    await derive('marks');
    const label = attrDef('marks', 'label', { 'required?': true });
    // Fails on the very attribute it adds, so the check derived it before the rollback took it out.
    expect(
      await transact([
        ['add-attr', label],
        ['update', 'marks', id(), { n: 1 }],
      ]),
    ).toMatchObject(missing('marks'));
    expect((await transact([['update', 'marks', id(), { n: 2 }]])).status).toBe(200);
  });
});

describe('request paths', () => {
  const post = (target: string, headers: Record<string, string>) =>
    fetch(`${server.url}${target}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}`, ...headers },
      body: JSON.stringify({ query: { notes: {} } }),
    });

  it('take the app id from the query string of a plain path', async () => {
    const res = await post(`/admin/query?app_id=${server.appId}`, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('notes');
  });

  it('route a path with dot segments as URL resolves it, and an escaped one not at all', async () => {
    const resolved = await post(`/admin/./x/../query?app_id=${server.appId}`, {});
    expect(resolved.status).toBe(200);
    const escaped = await post(`/admin/%71uery?app_id=${server.appId}`, {});
    expect(escaped.status).toBe(404);
    expect(await escaped.json()).toMatchObject({ message: 'No route POST /admin/%71uery' });
  });

  it("answer a stranger's long path ending in a character plain paths lack at once (no backtracking)", async () => {
    // 36 allowed characters then a dot: the old pattern took seconds per two more characters.
    const res = await post(`/dash/apps/${id()}${'a'.repeat(24)}.json`, {});
    expect(res.status).toBe(404);
    const after = await post(`/admin/query?app_id=${server.appId}`, {});
    expect(after.status).toBe(200);
  });

  it('refuse a stranger on a plain path as on any other', async () => {
    const res = await post(`/admin/query?app_id=${server.appId}`, { authorization: `Bearer ${id()}` });
    expect(res.status).toBe(400); // Instant's record-not-found status
    expect(await res.json()).toMatchObject({ type: 'record-not-found', hint: { 'record-type': 'app-admin-token' } });
  });
});
