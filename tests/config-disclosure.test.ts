// A stranger learns nothing of how the server is configured: configuration errors answer a
// generic 503 (the variable and its fix go to the log and to the start-up check), and
// /api/health says only whether the service is up.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UNAVAILABLE } from '../api/_lib/platform/http.ts';
import { checkStartup } from '../api/_lib/platform/startup-check.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';

let shop: ShopStack;
beforeAll(async () => {
  shop = await startShopStack();
});
afterAll(() => shop.close());

/** Runs `fn` with `name` unset, collecting what was logged meanwhile. */
async function without<T>(name: string, fn: () => Promise<T>): Promise<{ result: T; log: string }> {
  const saved = process.env[name];
  delete process.env[name];
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const result = await fn();
    return { result, log: logged.mock.calls.flat().join('\n') };
  } finally {
    logged.mockRestore();
    process.env[name] = saved;
  }
}

const LEAKS = /INSTANT|STRIPE|RESEND|SECRET|TOKEN|sk_|whsec|not set|\.env|configur/i;

describe('configuration errors', () => {
  for (const name of ['INSTANT_ADMIN_TOKEN', 'INSTANT_APP_ID', 'STRIPE_SECRET_KEY']) {
    it(`answers a guest checkout a generic 503 when ${name} is missing, naming it only in the log`, async () => {
      const { result: res, log } = await without(name, async () => {
        const r = await shop.post('/api/checkout', { token: randomUUID(), productId: 'wallpapers-warm' });
        return { status: r.status, retryAfter: r.headers.get('retry-after'), text: await r.text() };
      });
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toEqual({ error: UNAVAILABLE });
      expect(res.text).not.toMatch(LEAKS);
      expect(Number(res.retryAfter)).toBeGreaterThan(0);
      expect(log).toContain(`${name} is not set`);
    });
  }
});

describe('/api/health', () => {
  it('says only that the service is up, whatever is configured', async () => {
    const configured = await fetch(`${shop.api}/api/health`);
    expect(configured.status).toBe(200);
    expect(await configured.json()).toEqual({ ok: true });
    const { result } = await without('STRIPE_SECRET_KEY', async () => (await fetch(`${shop.api}/api/health`)).json());
    expect(result).toEqual({ ok: true });
  });
});

describe('start-up check', () => {
  it('names every missing production setting with its fix in the log', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const missing = checkStartup({ VERCEL_ENV: 'production', RESEND_API_KEY: 're_key', INSTANT_APP_ID: 'app' });
      expect(missing.map((m) => m.split(' ')[0])).toEqual([
        'INSTANT_ADMIN_TOKEN',
        'STRIPE_SECRET_KEY',
        'STRIPE_WEBHOOK_SECRET',
        'CRON_SECRET',
      ]);
      expect(logged.mock.calls.flat().join('\n')).toMatch(/CRON_SECRET is not set: set it in the deployment settings/);
      expect(checkStartup({ VERCEL_ENV: 'preview' })).toEqual([]);
    } finally {
      logged.mockRestore();
    }
  });
});
