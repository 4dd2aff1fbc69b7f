// Conformance harness: cases ported from Instant's own tests run through the unmodified SDKs
// against one instant-local server per test file, each case on a throwaway app of its own
// (as upstream's tests use `with-empty-app` / `with-zeneca-app`).
import { afterAll } from 'vitest';
import { adminFor, clientFor } from '../../../tests/support/instant-clients.ts';
import { startInstantLocal, type InstantLocal } from '../server.ts';

/** The github.com/instantdb/instant commit the cases were read from. */
export const UPSTREAM_COMMIT = 'a4d2ef33b60f281a437191006e4541d4780f9e4a';

/** A test title naming the upstream file and test a case was ported from. */
export const from = (file: string, test: string, what: string) => `${what} [${file} › ${test}]`;

let server: Promise<InstantLocal> | undefined;
const mails: { to: string; code: string }[] = [];
const cleanups: (() => void | Promise<void>)[] = [];

export function conformanceServer(): Promise<InstantLocal> {
  if (!server) {
    server = startInstantLocal({ memory: true, sendMail: async (m) => void mails.push(m) });
    afterAll(async () => {
      for (const c of cleanups.splice(0)) await c();
      await (await server!).close();
    });
  }
  return server;
}

/** The last magic code mailed to `email` by the conformance server. */
export function lastCode(email: string): string | undefined {
  return mails.filter((m) => m.to === email.trim().toLowerCase()).at(-1)?.code;
}

export type ThrowawayApp = {
  url: string;
  appId: string;
  adminToken: string;
  admin: ReturnType<typeof adminFor>;
  /** A new client SDK instance (shut down after the file). */
  client(): ReturnType<typeof clientFor>;
  /** POST/GET against the server with this app's admin headers. */
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
};

/** A fresh app on the shared server, made the way upstream's tests make one (ephemeral app API). */
export async function throwawayApp(
  opts: { schema?: unknown; rules?: unknown; title?: string } = {},
): Promise<ThrowawayApp> {
  const s = await conformanceServer();
  const res = await fetch(`${s.url}/dash/apps/ephemeral`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: opts.title ?? 'conformance',
      schema: opts.schema && JSON.parse(JSON.stringify(opts.schema)),
      rules: opts.rules ? { code: opts.rules } : undefined,
    }),
  });
  const body = (await res.json()) as { app?: { id: string; 'admin-token': string }; message?: string };
  if (!res.ok || !body.app) throw new Error(`ephemeral app refused (${res.status}): ${JSON.stringify(body)}`);
  const app = { url: s.url, appId: body.app.id, adminToken: body.app['admin-token'] };
  return {
    ...app,
    admin: adminFor(app, opts.schema),
    client() {
      const c = clientFor(app, opts.schema);
      cleanups.push(() => c.shutdown());
      return c;
    },
    http: (method, path, payload, headers = {}) =>
      fetch(`${s.url}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          'app-id': app.appId,
          authorization: `Bearer ${app.adminToken}`,
          ...headers,
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      }),
  };
}
