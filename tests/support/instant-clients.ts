// Real Instant SDK clients pointed at a local Instant server, for tests.
import './instant-client-env.ts';
import { init as initAdmin } from '@instantdb/admin';
import { init as initClient } from '@instantdb/core';
import type { InstantLocal } from '../../local/instant/server.ts';

export function adminFor(server: { url: string; appId: string; adminToken: string }, schema?: any) {
  return initAdmin({ appId: server.appId, adminToken: server.adminToken, apiURI: server.url, schema });
}

export function clientFor(server: Pick<InstantLocal, 'url' | 'appId'>, schema?: any) {
  return initClient({
    appId: server.appId,
    apiURI: server.url,
    websocketURI: `${server.url.replace(/^http/, 'ws')}/runtime/session`,
    schema,
  });
}

/** Resolves with the first query result that satisfies `until` (the live subscription, not a poll). */
export function nextResult<T = any>(
  db: ReturnType<typeof clientFor>,
  q: any,
  until: (r: { data?: T; error?: { message: string } }) => boolean,
  opts?: { ruleParams?: Record<string, unknown> },
): Promise<{ data?: T; error?: { message: string } }> {
  return new Promise((resolve) => {
    const unsub = db.subscribeQuery(
      q,
      (r: any) => {
        if (until(r)) {
          queueMicrotask(() => unsub());
          resolve(r);
        }
      },
      opts as any,
    );
  });
}
