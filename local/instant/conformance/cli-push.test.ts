// Instant's own CLI (instant-cli 1.0.67, spawned from node_modules) pushes and pulls schema and
// permissions against instant-local with an app's admin token, as against Instant; cases from
// upstream's client/packages/cli/__tests__/e2e/cli.e2e.test.ts, plus the data checks (indexing
// jobs) and refusals upstream's server makes. Notes: notes/cli.md.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { i } from '@instantdb/admin';
import { afterAll, describe, expect, it } from 'vitest';
import shopRules from '../../../instant.perms.ts';
import { instantProject } from '../../../tests/support/instant-project.ts';
import { runInstantCli, type CliTarget } from '../instant-cli-runner.ts';
import { startInstantLocal } from '../server.ts';
import { from, throwawayApp } from './harness.ts';

const E2E = 'cli.e2e.test.ts';
const ROOT = resolve(import.meta.dirname, '../../..');

const SCHEMA_FILE = `
import { i } from "@instantdb/core";
const _schema = i.schema({
  entities: {
    posts: i.entity({ title: i.string(), body: i.string() }),
    comments: i.entity({ text: i.string() }),
  },
  links: {
    postComments: {
      forward: { on: "posts", has: "many", label: "comments" },
      reverse: { on: "comments", has: "one", label: "post" },
    },
  },
});
export default _schema;
`;
const PERMS_FILE = `export default {
  posts: { allow: { view: "true", create: "true" } },
};
`;

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A project directory as upstream's createTestProject makes one, with the repo's SDKs. */
async function project(files: { schema?: string; perms?: string } = {}) {
  const dir = await instantProject('instant-cli-local-', files);
  dirs.push(dir);
  return dir;
}

const target = (app: CliTarget): CliTarget => ({ url: app.url, appId: app.appId, adminToken: app.adminToken });
const cli = (args: string[], cwd: string, app: CliTarget) => runInstantCli(args, { cwd, target: target(app) });

const withUnique = (unique: boolean) => `
import { i } from "@instantdb/core";
export default i.schema({ entities: { posts: i.entity({ title: ${unique ? 'i.string().unique().indexed()' : 'i.string()'}, body: i.string().optional() }) }, links: {} });
`;

describe('push schema', () => {
  it(
    from(
      E2E,
      'push schema › pushes schema to a real app',
      'pushes a schema to an empty app; the admin SDK sees it enforced',
    ),
    async () => {
      const app = await throwawayApp();
      const res = await cli(['push', 'schema'], await project({ schema: withUnique(true) }), app);
      expect(res.code, res.output).toBe(0);
      expect(res.output).toContain('posts');
      await app.admin.transact(app.admin.tx.posts[crypto.randomUUID()].update({ title: 'same' }));
      await expect(
        app.admin.transact(app.admin.tx.posts[crypto.randomUUID()].update({ title: 'same' })),
      ).rejects.toMatchObject({
        body: { type: 'record-not-unique' },
      });
    },
  );

  it(
    from(E2E, 'push schema › reports no changes on second push', 'a second push of the same schema changes nothing'),
    async () => {
      const app = await throwawayApp();
      const dir = await project({ schema: SCHEMA_FILE });
      expect((await cli(['push', 'schema'], dir, app)).code).toBe(0);
      const again = await cli(['push', 'schema'], dir, app);
      expect(again.code, again.output).toBe(0);
      expect(again.output.toLowerCase()).toMatch(/no.*change/);
    },
  );

  it(
    from(E2E, 'push schema › works with --app flag instead of env var', 'the app can be named with --app'),
    async () => {
      const app = await throwawayApp();
      const dir = await project({ schema: SCHEMA_FILE });
      const res = await runInstantCli(['push', 'schema', '--app', app.appId], {
        cwd: dir,
        target: { ...target(app), appId: '' },
      });
      expect(res.code, res.output).toBe(0);
      const pulled = (await (await app.http('GET', `/dash/apps/${app.appId}/schema/pull`)).json()) as {
        schema: { blobs: Record<string, unknown> };
      };
      expect(Object.keys(pulled.schema.blobs)).toContain('comments');
    },
  );

  it(
    from(
      E2E,
      'push schema with --rename › renames an attribute',
      'a rename is refused with a message naming the way that works',
    ),
    async () => {
      const app = await throwawayApp();
      expect((await cli(['push', 'schema'], await project({ schema: withUnique(false) }), app)).code).toBe(0);
      const renamed = withUnique(false).replace('title:', 'name:');
      const res = await cli(
        ['push', 'schema', '--rename', 'posts.title:posts.name'],
        await project({ schema: renamed }),
        app,
      );
      expect(res.code).toBe(1);
      expect(res.output).toContain('instant-local does not rename attributes (posts.title): push without --rename');
    },
  );

  it('a push that drops an attribute deletes it and its data, as upstream deletes the attr', async () => {
    const app = await throwawayApp();
    expect((await cli(['push', 'schema'], await project({ schema: withUnique(false) }), app)).code).toBe(0);
    const id = crypto.randomUUID();
    await app.admin.transact(app.admin.tx.posts[id].update({ title: 't', body: 'gone soon' }));
    const without = withUnique(false).replace(', body: i.string().optional()', '');
    const res = await cli(['push', 'schema'], await project({ schema: without }), app);
    expect(res.code, res.output).toBe(0);
    const { posts } = await app.admin.query({ posts: {} });
    expect(posts).toEqual([{ id, title: 't' }]);
  });
});

describe('schema changes that stored data breaks are refused, as upstream indexing jobs refuse them', () => {
  it(
    from(
      'indexing_jobs.clj',
      'unique',
      'unique on duplicated values: the job errors with samples, the constraint stays off',
    ),
    async () => {
      const app = await throwawayApp({
        schema: i.schema({ entities: { posts: i.entity({ title: i.string(), body: i.string().optional() }) } }),
      });
      const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
      await app.admin.transact([
        app.admin.tx.posts[a].update({ title: 'dup' }),
        app.admin.tx.posts[b].update({ title: 'dup' }),
      ]);
      const res = await cli(['push', 'schema'], await project({ schema: withUnique(true) }), app);
      expect(res.code).toBe(1);
      expect(res.output).toContain('INVALID DATA adding uniqueness constraint to posts.title.');
      expect(res.output).toContain('Found multiple entities with value "dup".');
      expect(res.output).toContain(a);
      expect(res.output).toContain('Some steps failed while updating schema.');
      // The index step of the same push went through; uniqueness did not.
      await app.admin.transact(app.admin.tx.posts[crypto.randomUUID()].update({ title: 'dup' }));
      const pulled = (await (await app.http('GET', `/dash/apps/${app.appId}/schema/pull`)).json()) as {
        schema: { blobs: { posts: { title: Record<string, unknown> } } };
      };
      expect(pulled.schema.blobs.posts.title).toMatchObject({ 'unique?': false, 'index?': true });
    },
  );

  it(from('indexing_jobs.clj', 'required', 'required on an attribute some entities lack is refused'), async () => {
    const app = await throwawayApp({
      schema: i.schema({ entities: { posts: i.entity({ title: i.string(), body: i.string().optional() }) } }),
    });
    const lacking = crypto.randomUUID();
    await app.admin.transact(app.admin.tx.posts[lacking].update({ title: 'no body' }));
    const schema = withUnique(false).replace('body: i.string().optional()', 'body: i.string()');
    const res = await cli(['push', 'schema'], await project({ schema }), app);
    expect(res.code).toBe(1);
    expect(res.output).toContain('INVALID DATA adding required constraint to posts.body.');
    expect(res.output).toContain(lacking);
  });

  it(from('indexing_jobs.clj', 'check-data-type', 'a type that stored values break is refused'), async () => {
    const app = await throwawayApp({
      schema: i.schema({ entities: { posts: i.entity({ title: i.string(), n: i.any() }) } }),
    });
    await app.admin.transact(app.admin.tx.posts[crypto.randomUUID()].update({ title: 't', n: 'not a number' }));
    const schema = `import { i } from "@instantdb/core";
export default i.schema({ entities: { posts: i.entity({ title: i.string(), n: i.number() }) }, links: {} });`;
    const res = await cli(['push', 'schema'], await project({ schema }), app);
    expect(res.code).toBe(1);
    expect(res.output).toContain('INVALID DATA setting type of posts.n to number.');
    expect(res.output).toContain('"not a number"');
  });

  it(
    from('indexing_jobs.clj', 'unique', 'a link made has-one on the reverse while a target has two sources is refused'),
    async () => {
      const link = (rev: string) => `import { i } from "@instantdb/core";
export default i.schema({ entities: { posts: i.entity({ t: i.string() }), tags: i.entity({ n: i.string() }) },
  links: { postTags: { forward: { on: "posts", has: "many", label: "tags" }, reverse: { on: "tags", has: "${rev}", label: "posts" } } } });`;
      const app = await throwawayApp();
      expect((await cli(['push', 'schema'], await project({ schema: link('many') }), app)).code).toBe(0);
      const [tag, p1, p2] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      const tx = app.admin.tx;
      await app.admin.transact([
        tx.tags[tag].update({ n: 'x' }),
        tx.posts[p1].update({ t: 'a' }).link({ tags: tag }),
        tx.posts[p2].update({ t: 'b' }).link({ tags: tag }),
      ]);
      const res = await cli(['push', 'schema'], await project({ schema: link('one') }), app);
      expect(res.code, res.output).toBe(1);
      expect(res.output).toContain('INVALID DATA adding uniqueness constraint to posts.tags.');
    },
  );
});

describe('push perms', () => {
  it(from(E2E, 'push perms › exits with code 1 when no perms file exists', 'no perms file: exit 1'), async () => {
    const app = await throwawayApp();
    const res = await cli(['push', 'perms'], await project(), app);
    expect(res.code).toBe(1);
  });

  it(from(E2E, 'push perms › pushes perms to a real app', 'pushed perms are enforced for a guest'), async () => {
    const app = await throwawayApp({ schema: i.schema({ entities: { posts: i.entity({ title: i.string() }) } }) });
    await app.admin.transact(app.admin.tx.posts[crypto.randomUUID()].update({ title: 'hidden' }));
    const res = await cli(
      ['push', 'perms'],
      await project({ perms: `export default { posts: { allow: { view: "false" } } };` }),
      app,
    );
    expect(res.code, res.output).toBe(0);
    const guest = await app.http('POST', '/admin/query', { query: { posts: {} } }, { 'as-guest': 'true' });
    expect(((await guest.json()) as { posts: unknown[] }).posts).toEqual([]);
  });

  it(
    from(
      'dash/routes.clj',
      'rules-post',
      "an invalid rule is refused with the server's message; the rules in force stay",
    ),
    async () => {
      const app = await throwawayApp();
      expect((await cli(['push', 'perms'], await project({ perms: PERMS_FILE }), app)).code).toBe(0);
      const bad = `export default { posts: { allow: { view: "auth.id ==" } } };`;
      const res = await cli(['push', 'perms'], await project({ perms: bad }), app);
      expect(res.code).toBe(1);
      expect(res.output).toContain('Error making request to Instant API: Validation failed for rule');
      expect(res.output).toMatch(/posts->allow->view: /);
      const pulled = (await (await app.http('GET', `/dash/apps/${app.appId}/perms/pull`)).json()) as { perms: unknown };
      expect(pulled.perms).toEqual({ posts: { allow: { view: 'true', create: 'true' } } });
    },
  );
});

describe('pull and round trips', () => {
  /** Pushes `file` as the app's schema or perms from one project, pulls it into a fresh one. */
  async function pushThenPull(app: CliTarget, what: 'schema' | 'perms', file: string) {
    expect((await cli(['push', what], await project({ [what]: file }), app)).code).toBe(0);
    const dir = await project();
    expect((await cli(['pull', what], dir, app)).code).toBe(0);
    return { dir, pulled: await readFile(join(dir, `instant.${what}.ts`), 'utf8') };
  }

  it(
    from(
      E2E,
      'pull › pulls schema from app with no user-defined entities',
      'an empty app pulls the system namespaces only',
    ),
    async () => {
      const app = await throwawayApp();
      const dir = await project();
      const res = await cli(['pull', 'schema'], dir, app);
      expect(res.code, res.output).toBe(0);
      const pulled = await readFile(join(dir, 'instant.schema.ts'), 'utf8');
      expect(pulled).toContain('i.schema');
      expect(pulled).toContain('$users: i.entity({');
      expect(pulled).toContain('email: i.string().unique().indexed().optional()');
      expect(pulled).not.toContain('posts');
    },
  );

  it(
    from(E2E, 'schema roundtrip › push then pull produces matching schema', 'push then pull gives back the schema'),
    async () => {
      const app = await throwawayApp();
      const { dir, pulled } = await pushThenPull(app, 'schema', SCHEMA_FILE);
      expect(pulled).toMatch(/posts: i\.entity\(\{\s+body: i\.string\(\),\s+title: i\.string\(\),\s+\}\)/);
      expect(pulled).toMatch(/comments: i\.entity\(\{\s+text: i\.string\(\),\s+\}\)/);
      expect(pulled).toMatch(/on: "posts",\s+has: "many",\s+label: "comments"/);
      // What was pulled pushes back as no change.
      const again = await cli(['push', 'schema'], dir, app);
      expect(again.output.toLowerCase()).toMatch(/no.*change/);
    },
  );

  it(
    from(E2E, 'perms roundtrip › push then pull produces matching perms', 'push then pull gives back the perms'),
    async () => {
      const { pulled } = await pushThenPull(await throwawayApp(), 'perms', PERMS_FILE);
      expect(pulled).toMatch(/posts: \{\s+allow: \{\s+view: "true",\s+create: "true",?\s+\},?\s+\}/);
    },
  );

  it(
    from(
      E2E,
      'push all › pushes both schema and perms',
      "push and pull of both, with the shop's own files, from an empty app",
    ),
    async () => {
      const app = await throwawayApp();
      const res = await cli(['push'], ROOT, app);
      expect(res.code, res.output).toBe(0);
      expect(res.output).toContain('Permissions updated!');
      const perms = (await (await app.http('GET', `/dash/apps/${app.appId}/perms/pull`)).json()) as { perms: unknown };
      expect(perms.perms).toEqual(JSON.parse(JSON.stringify(shopRules)));
      const again = await cli(['push'], ROOT, app);
      expect(again.output).toContain('No schema changes to apply!');
      expect(again.output).toContain('No perms changes to apply!');
      // pull all (upstream 'pull all › pulls both schema and perms') into a fresh project, and push
      // that back to a new app: it yields the same schema.
      const dir = await project();
      expect((await cli(['pull'], dir, app)).code).toBe(0);
      const copy = await throwawayApp();
      expect((await cli(['push'], dir, copy)).code).toBe(0);
      const pull = async (a: CliTarget) =>
        (
          (await (
            await fetch(`${a.url}/dash/apps/${a.appId}/schema/pull`, {
              headers: { authorization: `Bearer ${a.adminToken}` },
            })
          ).json()) as { schema: { blobs: Record<string, Record<string, object>> } }
        ).schema.blobs;
      const shape = (blobs: Record<string, Record<string, object>>) =>
        Object.fromEntries(
          Object.entries(blobs).map(([e, attrs]) => [
            e,
            Object.fromEntries(
              Object.entries(attrs).map(([l, a]) => [
                l,
                {
                  ...a,
                  id: undefined,
                  'forward-identity': undefined,
                },
              ]),
            ),
          ]),
        );
      expect(shape(await pull(copy))).toEqual(shape(await pull(app)));
    },
    60_000,
  );
});

describe('strangers', () => {
  it(
    from(
      'superadmin/routes.clj',
      'req->superadmin-app!',
      "another app's admin token is refused: tokens are bound to one app",
    ),
    async () => {
      const [mine, theirs] = [await throwawayApp(), await throwawayApp()];
      const res = await fetch(`${mine.url}/dash/apps/${mine.appId}/schema/pull`, {
        headers: { authorization: `Bearer ${theirs.adminToken}` },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        type: 'validation-failed',
        message: `This admin token does not belong to app ${mine.appId}. Admin tokens are bound to a single app. Use a personal access token to manage other apps.`,
      });
      for (const [method, path, body] of [
        ['POST', `/dash/apps/${mine.appId}/rules`, { code: { $default: { allow: { $default: 'true' } } } }],
        ['POST', `/dash/apps/${mine.appId}/schema/steps/apply`, { steps: [] }],
        ['GET', `/dash/apps/${mine.appId}/perms/pull`, undefined],
      ] as const) {
        const r = await fetch(`${mine.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${theirs.adminToken}` },
          body: body && JSON.stringify(body),
        });
        expect(r.status).toBe(400);
      }
      expect(
        ((await (await mine.http('GET', `/dash/apps/${mine.appId}/perms/pull`)).json()) as { perms: unknown }).perms,
      ).toBeNull();
    },
  );

  it(
    from('util/http.clj', 'req->auth-user!', 'an unknown token is 401 and no token is a missing parameter'),
    async () => {
      const app = await throwawayApp();
      const unknown = await fetch(`${app.url}/dash/apps/${app.appId}/schema/pull`, {
        headers: { authorization: `Bearer ${crypto.randomUUID()}` },
      });
      expect(unknown.status).toBe(401);
      expect(await unknown.json()).toMatchObject({
        type: 'record-not-found',
        message: 'Record not found: instant-user',
      });
      const none = await fetch(`${app.url}/dash/apps/${app.appId}/rules`, {
        method: 'POST',
        body: JSON.stringify({ code: {} }),
      });
      expect(none.status).toBe(400);
      expect(await none.json()).toMatchObject({ type: 'param-missing' });
      const res = await runInstantCli(['push', 'perms'], {
        cwd: await project({ perms: PERMS_FILE }),
        target: { ...target(app), adminToken: crypto.randomUUID() },
      });
      expect(res.code).toBe(1);
      expect(res.output).toContain('Record not found: instant-user');
    },
  );

  it('malformed steps are a 400 naming the problem, and change nothing', async () => {
    const app = await throwawayApp();
    for (const steps of [
      'nope',
      [['add-attr', {}]],
      [['unique', { 'attr-id': crypto.randomUUID() }]],
      [['explode', {}]],
    ]) {
      const r = await app.http('POST', `/dash/apps/${app.appId}/schema/steps/apply`, { steps });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { type: string }).type).toBe('validation-failed');
    }
    const missing = await app.http('POST', `/dash/apps/${app.appId}/schema/steps/apply`, {});
    expect(((await missing.json()) as { type: string }).type).toBe('param-missing');
  });
});

it('a pushed schema and rules are served again after a restart', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'instant-cli-durable-'));
  dirs.push(dataDir);
  const first = await startInstantLocal({ dataDir });
  const app = { url: first.url, appId: first.appId, adminToken: first.adminToken };
  expect((await cli(['push'], await project({ schema: withUnique(true), perms: PERMS_FILE }), app)).code).toBe(0);
  await fetch(`${first.url}/admin/transact`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'app-id': app.appId, authorization: `Bearer ${app.adminToken}` },
    body: JSON.stringify({ steps: [['update', 'posts', crypto.randomUUID(), { title: 'kept' }]] }),
  });
  await first.close();
  const second = await startInstantLocal({ dataDir });
  try {
    const again = await cli(['push'], await project({ schema: withUnique(true), perms: PERMS_FILE }), {
      ...app,
      url: second.url,
    });
    expect(again.output).toContain('No schema changes to apply!');
    expect(again.output).toContain('No perms changes to apply!');
  } finally {
    await second.close();
  }
});
