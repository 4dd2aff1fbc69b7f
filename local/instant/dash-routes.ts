// The dashboard routes instant-cli uses to pull and push schema and permissions with an app's
// admin token (upstream dash/routes.clj: schema-pull-get, schema-steps-apply-post,
// perms-pull-get, rules-post, indexing-jobs-group-get). Schema and rules take effect through
// App.reload and are recorded in the durable log, so a restart serves what was last pushed.
import type { IncomingMessage } from 'node:http';
import type { App } from './app.ts';
import type { LogRecord } from './durable-log.ts';
import { InstantLocalError, validationError } from './errors.ts';
import { IndexingJobs } from './indexing-jobs.ts';
import type { RuleSet } from './permissions.ts';
import { applyJob, applySteps, attrsToSchema, schemaPull } from './schema-steps.ts';

type Req = { req: IncomingMessage; body: Record<string, unknown> };
export type DashDeps = { apps: Map<string, App>; persist: (r: LogRecord) => Promise<void> };

/** The record that App.restore replays: the app's schema and rules as last pushed. */
export const configRecord = (app: App): LogRecord => ({
  k: 'config',
  app: app.config.id,
  schema: app.config.schema,
  rules: app.config.rules,
});

/** A route lookup for server.ts: the handler for `METHOD /path`, with its app bound, or undefined. */
export function dashRoutes({ apps, persist }: DashDeps) {
  const jobs = new IndexingJobs();

  /** Upstream's req->app-accepting-superadmin-or-ref-token!, for app admin tokens. */
  const appFor = (c: Req, appId: string): App => {
    const header = c.req.headers.authorization;
    if (!header)
      throw new InstantLocalError('param-missing', 'Missing required parameter: authorization', {
        in: ['headers', 'authorization'],
      });
    const token = header.replace(/^Bearer\s+/i, '').trim();
    const owner = [...apps.values()].find((a) => a.config.adminToken === token);
    if (!owner) {
      throw new InstantLocalError(
        'record-not-found',
        'Record not found: instant-user',
        { args: [{ 'auth?': true }], 'record-type': 'instant-user' },
        401,
      );
    }
    if (owner.config.id !== appId) {
      throw new InstantLocalError(
        'validation-failed',
        `This admin token does not belong to app ${appId}. Admin tokens are bound to a single app. Use a personal access token to manage other apps.`,
        { reason: 'admin-token-mismatch' },
      );
    }
    return owner;
  };

  const routes: [string, RegExp, (app: App, c: Req, params: string[]) => Promise<unknown>][] = [
    [
      'GET',
      /^\/dash\/apps\/([^/]+)\/schema\/pull$/,
      async (app) => schemaPull(app.config.id, app.config.title, app.config.schema),
    ],
    [
      'POST',
      /^\/dash\/apps\/([^/]+)\/schema\/steps\/apply$/,
      async (app, c) => {
        const steps = c.body.steps;
        if (steps === undefined)
          throw new InstantLocalError('param-missing', 'Missing required parameter: steps', { in: ['body', 'steps'] });
        const planned = applySteps(app.config.id, app.config.schema, steps);
        // From here to reload nothing awaits: the data checked is the data the new schema meets.
        const { passed, group } = jobs.run(app, planned.jobs);
        passed.forEach(applyJob);
        for (const a of planned.deleted) {
          const stored = app.catalog.find(a['forward-identity'][1], a['forward-identity'][2])?.attr;
          if (stored)
            app.catalog.update(stored, {
              'required?': false,
              'unique?': false,
              'index?': false,
              'checked-data-type': null,
            });
        }
        app.reload(attrsToSchema(planned.attrs), app.config.rules);
        await persist(configRecord(app));
        await removeData(app, planned.deleted);
        return {
          transaction: { id: app.txId, app_id: app.config.id, created_at: new Date().toISOString() },
          steps,
          'indexing-jobs': group,
        };
      },
    ],
    ['GET', /^\/dash\/apps\/([^/]+)\/perms\/pull$/, async (app) => ({ perms: app.config.rules ?? null })],
    [
      'POST',
      /^\/dash\/apps\/([^/]+)\/rules$/,
      async (app, c) => {
        const code = c.body.code;
        if (code === undefined)
          throw new InstantLocalError('param-missing', 'Missing required parameter: code', { in: ['body', 'code'] });
        if (!code || typeof code !== 'object' || Array.isArray(code)) {
          throw validationError('rule', code, [
            'Rules must be an object of namespaces: {"posts": {"allow": {"view": "true"}}}',
          ]);
        }
        app.reload(app.config.schema, code as RuleSet);
        await persist(configRecord(app));
        return { rules: { app_id: app.config.id, code } };
      },
    ],
    [
      'GET',
      /^\/dash\/apps\/([^/]+)\/indexing-jobs\/group\/([^/]+)$/,
      async (app, _c, [groupId]) => ({ jobs: jobs.group(app.config.id, groupId) }),
    ],
    [
      'GET',
      /^\/dash\/apps\/([^/]+)\/indexing-jobs\/([^/]+)$/,
      async (app, _c, [jobId]) => ({ job: jobs.job(app.config.id, jobId) }),
    ],
  ];

  return (method: string | undefined, path: string): ((c: Req) => Promise<unknown>) | undefined => {
    for (const [m, re, fn] of routes) {
      const match = m === method ? re.exec(path) : null;
      if (match) {
        const [appId, ...params] = match.slice(1).map(decodeURIComponent);
        return (c) => fn(appFor(c, appId), c, params);
      }
    }
    return undefined;
  };
}

/** Upstream deletes a deleted attribute's triples with it. */
async function removeData(app: App, deleted: { 'forward-identity': [string, string, string] }[]) {
  const steps: unknown[][] = [];
  for (const a of deleted) {
    const [, etype, label] = a['forward-identity'];
    const found = app.catalog.find(etype, label);
    if (!found || found.reverse) continue;
    const attr = found.attr;
    for (const e of app.store.all(etype)) {
      if (attr['value-type'] === 'blob') {
        if (label !== 'id' && e.fields.has(attr.id))
          steps.push(['retract-triple', e.id, attr.id, e.fields.get(attr.id)!.v]);
      } else
        for (const to of app.store.linked(attr, e.id, false).keys()) steps.push(['retract-triple', e.id, attr.id, to]);
    }
  }
  if (steps.length) await app.transact(steps, { admin: true, user: null });
}
