// `npm run instant:push` / `instant:pull`: the shop's setting names mapped onto instant-cli's,
// from the environment or `.data/local.json`; --help exits 0, a usage mistake exits 2.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInstantLocal, type InstantLocal } from '../local/instant/server.ts';
import { instantProject } from '../tests/support/instant-project.ts';
import { cliTarget } from './instant-cli.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'scripts/instant-cli.ts');
let server: InstantLocal;
let dir: string;

beforeAll(async () => {
  server = await startInstantLocal({ memory: true });
  dir = await instantProject('instant-cli-script-', {
    schema: `import { i } from "@instantdb/core";
export default i.schema({ entities: { notes: i.entity({ title: i.string() }) }, links: {} });`,
    perms: 'export default { notes: { allow: { view: "true" } } };',
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INSTANT_')));
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
      cwd: dir,
      env: { ...clean, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => done({ code: code ?? 1, out }));
  });
}

it('--help exits 0 with the usage; a usage mistake exits 2; no app configured exits 1 naming the settings', async () => {
  expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('usage: npm run instant:push') });
  expect((await run(['shove'])).code).toBe(2);
  expect((await run(['push', 'everything'])).code).toBe(2);
  const none = await run(['push']);
  expect(none.code).toBe(1);
  expect(none.out).toContain('Set INSTANT_APP_ID and INSTANT_ADMIN_TOKEN');
});

it("pushes with the shop's names (INSTANT_API_URI, INSTANT_APP_ID, INSTANT_ADMIN_TOKEN)", async () => {
  const res = await run(['push'], {
    INSTANT_API_URI: server.url,
    INSTANT_APP_ID: server.appId,
    INSTANT_ADMIN_TOKEN: server.adminToken,
  });
  expect(res.code, res.out).toBe(0);
  const perms = await fetch(`${server.url}/dash/apps/${server.appId}/perms/pull`, {
    headers: { authorization: `Bearer ${server.adminToken}` },
  });
  expect(await perms.json()).toEqual({ perms: { notes: { allow: { view: 'true' } } } });
});

it('pulls from the running local stack named in .data/local.json', async () => {
  await mkdir(join(dir, '.data'), { recursive: true });
  await writeFile(
    join(dir, '.data/local.json'),
    JSON.stringify({ instant: { url: server.url, appId: server.appId, adminToken: server.adminToken } }),
  );
  await rm(join(dir, 'instant.perms.ts'));
  const res = await run(['pull', 'perms']);
  expect(res.code, res.out).toBe(0);
  expect(await readFile(join(dir, 'instant.perms.ts'), 'utf8')).toMatch(/notes: \{\s+allow: \{\s+view: "true"/);
});

it("the CLI's own names win over the shop's", () => {
  expect(
    cliTarget({
      INSTANT_API_URI: 'http://a',
      INSTANT_CLI_API_URI: 'http://b',
      INSTANT_APP_ID: 'x',
      INSTANT_ADMIN_TOKEN: 't',
      INSTANT_APP_ADMIN_TOKEN: 'u',
    }),
  ).toEqual({ url: 'http://b', appId: 'x', adminToken: 'u' });
  expect(cliTarget({ INSTANT_APP_ID: 'x', INSTANT_ADMIN_TOKEN: 't' }).url).toBe('https://api.instantdb.com');
});
