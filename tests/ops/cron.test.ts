// The daily reconcile that Vercel Cron runs: only with the cron secret, recorded as `cron`.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startShopStack, type ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack;
beforeAll(async () => {
  shop = await startShopStack();
});
afterAll(() => shop.close());

const call = (authorization?: string) =>
  fetch(`${shop.api}/api/cron/reconcile`, { headers: authorization ? { authorization } : {} });

it('answers a stranger 401 whether or not CRON_SECRET is set, naming it only in the log', async () => {
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    delete process.env.CRON_SECRET;
    const unset = await Promise.all([call(), call('Bearer anything'), call('Bearer ')]);
    process.env.CRON_SECRET = 'cron-secret-for-tests';
    const set = await Promise.all([call(), call('Bearer anything'), call('Bearer ')]);
    const bodies = await Promise.all([...unset, ...set].map((r) => r.text()));
    expect([...unset, ...set].map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
    // The same answer either way: a stranger cannot tell whether the secret is configured.
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).not.toMatch(/CRON_SECRET|not set|configur/i);
    expect(logged.mock.calls.flat().join('\n')).toMatch(/CRON_SECRET is not set/);
  } finally {
    logged.mockRestore();
  }
  const { opsActions } = await shop.admin.query({ opsActions: { $: { where: { operator: 'cron' } } } });
  expect(opsActions).toEqual([]);
});

it('refuses a caller without the secret and reconciles for the scheduler, in the audit trail', async () => {
  process.env.CRON_SECRET = 'cron-secret-for-tests';
  expect((await call()).status).toBe(401);
  expect((await call('Bearer wrong')).status).toBe(401);
  const res = await call('Bearer cron-secret-for-tests');
  expect(res.status).toBe(200);
  const report = await res.json();
  expect(report).toMatchObject({
    repaired: [],
    errors: [],
    pruned: { rateSlots: expect.any(Number), webhookEvents: 0 },
  });
  const { opsActions } = await shop.admin.query({ opsActions: { $: { where: { operator: 'cron' } } } });
  expect(opsActions.map((a: any) => a.action)).toEqual(['reconcile']);
  // And its drift report is stored as the cron's.
  const { reconcileRuns } = await shop.admin.query({ reconcileRuns: {} });
  expect(reconcileRuns).toMatchObject([{ id: report.runId, trigger: 'cron', findings: [], errors: 0 }]);
});
