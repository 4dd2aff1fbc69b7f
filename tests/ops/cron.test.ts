// The daily reconcile that Vercel Cron runs: only with the cron secret, recorded as `cron`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startShopStack, type ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack;
beforeAll(async () => {
  shop = await startShopStack();
});
afterAll(() => shop.close());

const call = (authorization?: string) => fetch(`${shop.api}/api/cron/reconcile`, { headers: authorization ? { authorization } : {} });

it('answers 500 naming CRON_SECRET when it is not configured', async () => {
  delete process.env.CRON_SECRET;
  const res = await call('Bearer anything');
  expect(res.status).toBe(500);
  expect((await res.json()).error).toMatch(/CRON_SECRET/);
});

it('refuses a caller without the secret and reconciles for the scheduler, in the audit trail', async () => {
  process.env.CRON_SECRET = 'cron-secret-for-tests';
  expect((await call()).status).toBe(401);
  expect((await call('Bearer wrong')).status).toBe(401);
  const res = await call('Bearer cron-secret-for-tests');
  expect(res.status).toBe(200);
  const report = await res.json();
  expect(report).toMatchObject({ repaired: [], errors: [], pruned: { rateSlots: expect.any(Number), webhookEvents: 0 } });
  const { opsActions } = await shop.admin.query({ opsActions: { $: { where: { operator: 'cron' } } } });
  expect(opsActions.map((a: any) => a.action)).toEqual(['reconcile']);
});
