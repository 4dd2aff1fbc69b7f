// The dev stack's reload path: instant-cli pushes instant.schema.ts and instant.perms.ts on start
// and on every change; a refused push is reported (file, rule, server's message) and the last
// pushed schema and rules stay in force.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminFor } from '../../tests/support/instant-clients.ts';
import { instantProject } from '../../tests/support/instant-project.ts';
import { pushProjectOnChange, type ProjectPusher, type PushResult } from './push-on-change.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';

const schemaFile = (title: string) => `import { i } from "@instantdb/core";
export default i.schema({ entities: { notes: i.entity({ ${title}, body: i.string().optional() }) }, links: {} });`;
const permsFile = (view: string) => `export default { notes: { allow: { view: ${JSON.stringify(view)} } } };`;

let server: InstantLocal;
let dir: string;
let pusher: ProjectPusher;
const errors: string[] = [];
const waiting: { what: PushResult['what']; resolve: (r: PushResult) => void }[] = [];
const next = (what: PushResult['what']) => new Promise<PushResult>((resolve) => waiting.push({ what, resolve }));

beforeAll(async () => {
  server = await startInstantLocal({ memory: true });
  dir = await instantProject('push-on-change-', { schema: schemaFile('title: i.string()'), perms: permsFile('true') });
  pusher = pushProjectOnChange(server, {
    root: dir,
    log: { info: () => {}, error: (m) => void errors.push(m) },
    onPush: (r) => {
      const i = waiting.findIndex((w) => w.what === r.what);
      if (i >= 0) waiting.splice(i, 1)[0].resolve(r);
    },
  });
}, 60_000);

afterAll(async () => {
  pusher.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const pull = async (what: 'schema' | 'perms') =>
  (
    await fetch(`${server.url}/dash/apps/${server.appId}/${what}/pull`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    })
  ).json() as Promise<{
    perms?: unknown;
    schema?: { blobs: Record<string, Record<string, Record<string, unknown>>> };
  }>;
const guestSees = async () => {
  const res = await fetch(`${server.url}/admin/query`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'app-id': server.appId,
      authorization: `Bearer ${server.adminToken}`,
      'as-guest': 'true',
    },
    body: JSON.stringify({ query: { notes: {} } }),
  });
  return ((await res.json()) as { notes: unknown[] }).notes.length;
};

it('pushes both files on start', async () => {
  const results = await pusher.initial;
  expect(results.map((r) => [r.file, r.ok])).toEqual([
    ['instant.schema.ts', true],
    ['instant.perms.ts', true],
  ]);
  expect(Object.keys((await pull('schema')).schema!.blobs.notes)).toEqual(expect.arrayContaining(['title', 'body']));
  expect((await pull('perms')).perms).toEqual({ notes: { allow: { view: 'true' } } });
});

it('pushes a changed perms file; a rule that does not parse is reported and the last rules stay', async () => {
  await adminFor(server).transact(adminFor(server).tx.notes[crypto.randomUUID()].update({ title: 'a' }));
  expect(await guestSees()).toBe(1);

  let pushed = next('perms');
  await writeFile(join(dir, 'instant.perms.ts'), permsFile('auth.id =='));
  const refused = await pushed;
  expect(refused.ok).toBe(false);
  expect(refused.report).toContain('Validation failed for rule');
  expect(refused.report).toMatch(/notes->allow->view: /);
  expect(errors.at(-1)).toMatch(/^\[instant\] instant\.perms\.ts refused; the last pushed perms stays in force:/);
  expect((await pull('perms')).perms).toEqual({ notes: { allow: { view: 'true' } } });
  expect(await guestSees()).toBe(1);

  pushed = next('perms');
  await writeFile(join(dir, 'instant.perms.ts'), permsFile('false'));
  expect((await pushed).ok).toBe(true);
  expect(await guestSees()).toBe(0);
});

it('pushes a changed schema; one that stored data breaks is refused with the duplicates named', async () => {
  const admin = adminFor(server);
  await admin.transact([
    admin.tx.notes[crypto.randomUUID()].update({ title: 'same' }),
    admin.tx.notes[crypto.randomUUID()].update({ title: 'same' }),
  ]);
  let pushed = next('schema');
  await writeFile(join(dir, 'instant.schema.ts'), schemaFile('title: i.string().unique()'));
  const refused = await pushed;
  expect(refused.ok).toBe(false);
  expect(refused.report).toContain('INVALID DATA adding uniqueness constraint to notes.title.');
  expect(refused.report).toContain('Found multiple entities with value "same".');
  expect(errors.at(-1)).toMatch(/^\[instant\] instant\.schema\.ts refused/);
  expect((await pull('schema')).schema!.blobs.notes.title['unique?']).toBe(false);

  pushed = next('schema');
  await writeFile(join(dir, 'instant.schema.ts'), schemaFile('title: i.string(), tag: i.string().optional()'));
  expect((await pushed).ok).toBe(true);
  expect(Object.keys((await pull('schema')).schema!.blobs.notes)).toContain('tag');
});
