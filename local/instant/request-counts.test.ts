// The request counters (benches count the shop's calls at the stand-in): every request is
// counted by method and path, in process and over `GET /_local/request-counts` with the admin token only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFor } from '../../tests/support/instant-clients.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';
import { testRules, testSchema } from './fixtures.test-schema.ts';

let server: InstantLocal;

beforeAll(async () => {
  server = await startInstantLocal({ memory: true, schema: JSON.parse(JSON.stringify(testSchema)), rules: testRules });
});
afterAll(() => server.close());

const countsOver = (headers: Record<string, string>) =>
  fetch(`${server.url}/_local/request-counts?app_id=${server.appId}`, { headers });

describe('request counters', () => {
  it('count each admin query and transaction, in process and over HTTP', async () => {
    const before = server.requestCounts();
    const admin = adminFor(server);
    await admin.query({ items: {} });
    await admin.query({ items: {} });
    const after = server.requestCounts();
    expect((after['POST /admin/query'] ?? 0) - (before['POST /admin/query'] ?? 0)).toBe(2);
    expect(after['POST /admin/transact'] ?? 0).toBe(before['POST /admin/transact'] ?? 0);

    const res = await countsOver({ authorization: `Bearer ${server.adminToken}`, 'app-id': server.appId });
    expect(res.status).toBe(200);
    expect((await res.json()).counts['POST /admin/query']).toBe(after['POST /admin/query']);
  });

  it('refuses the HTTP counters without the admin token', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer 00000000-0000-4000-8000-000000000000', 'app-id': server.appId },
    ]) {
      const res = await countsOver(headers);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(await res.json())).not.toContain('POST /admin/query');
    }
  });
});
