import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyPrefix } from './check.ts';
import { checkEnv, mailFromAddress } from './env.ts';
import { loadDoctorSettings } from './settings.ts';
import { fakeKey } from '../../tests/support/fake-keys.ts';

const good = {
  INSTANT_APP_ID: '6f1c1a52-3c1e-4b1e-9a55-0c8f7d8c0e11',
  INSTANT_ADMIN_TOKEN: 'b1f8c2de-0000-4000-8000-000000000000',
  INSTANT_API_URI: 'https://api.myinstant.example',
  STRIPE_SECRET_KEY: fakeKey('sk_live'),
  STRIPE_WEBHOOK_SECRET: fakeKey('whsec'),
  STRIPE_PRICE_ENV: 'live',
  APP_URL: 'https://shop.example.com',
  OPERATOR_EMAILS: 'me@example.com',
  RESEND_API_KEY: fakeKey('re'),
  MAIL_FROM: 'Shop <receipts@shop.example.com>',
  VERCEL: '1',
  CRON_SECRET: 'a-random-secret-of-some-length',
};
const failed = (env: Record<string, string | undefined>) =>
  checkEnv(env)
    .filter((c) => c.status === 'fail')
    .map((c) => c.label);

describe('checkEnv (no service asked)', () => {
  it('passes a complete production configuration', () => {
    expect(failed(good)).toEqual([]);
  });

  it('a live key is production: APP_URL and INSTANT_API_URI must be public https, stand-ins unset', () => {
    expect(failed({ ...good, APP_URL: 'http://shop.example.com' })).toEqual([
      'APP_URL must be https:// in production (got http://shop.example.com)',
    ]);
    expect(failed({ ...good, APP_URL: 'https://localhost:5173' })).toEqual([
      'APP_URL must be a public address in production (got localhost:5173)',
    ]);
    expect(failed({ ...good, INSTANT_API_URI: 'https://192.168.1.4' })).toEqual([
      'INSTANT_API_URI must be a public address in production (got 192.168.1.4)',
    ]);
    expect(failed({ ...good, STRIPE_API_BASE: 'http://127.0.0.1:12111' })).toEqual([
      'STRIPE_API_BASE is set in production: it points at a local stand-in',
    ]);
  });

  it("the browser's Instant settings must match the server's; WebSockets are wss in production", () => {
    expect(failed({ ...good, VITE_INSTANT_APP_ID: 'another-app' })).toEqual([
      'VITE_INSTANT_APP_ID differs from INSTANT_APP_ID: the browser and the server would use different Instant settings',
    ]);
    expect(failed({ ...good, VITE_INSTANT_WEBSOCKET_URI: 'ws://api.myinstant.example/runtime/session' })).toEqual([
      "Instant's WebSocket address must be wss://<server>/runtime/session in production (got ws://api.myinstant.example/runtime/session)",
    ]);
    expect(failed({ ...good, VITE_INSTANT_WEBSOCKET_URI: 'wss://api.myinstant.example/runtime/session' })).toEqual([]);
  });

  it('test and live must agree across the key and STRIPE_PRICE_ENV', () => {
    expect(failed({ ...good, STRIPE_PRICE_ENV: undefined })).toEqual([
      'Stripe: a live-mode key with STRIPE_PRICE_ENV=test',
    ]);
    expect(failed({ ...good, STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_PRICE_ENV: 'live' })).toEqual([
      'Stripe: a test-mode key with STRIPE_PRICE_ENV=live',
    ]);
  });

  it('names each missing or wrong-kind variable with its fix', () => {
    const checks = checkEnv({
      ...good,
      INSTANT_ADMIN_TOKEN: ' ',
      STRIPE_WEBHOOK_SECRET: fakeKey('sk_live', 'oops'),
      CRON_SECRET: 'short',
      RESEND_API_KEY: undefined,
      MAIL_FROM: 'nobody',
    });
    const fails = checks.filter((c) => c.status === 'fail');
    expect(fails.map((c) => c.label)).toEqual([
      'Instant: INSTANT_ADMIN_TOKEN not set',
      'STRIPE_WEBHOOK_SECRET is not a signing secret (found sk_live_…)',
      'CRON_SECRET is shorter than 16 characters',
      'RESEND_API_KEY not set: receipts cannot be sent',
      'MAIL_FROM is not an address (got "nobody")',
    ]);
    expect(fails.every((c) => c.fix && c.fix.length > 10)).toBe(true);
  });

  it('CRON_SECRET is only required on Vercel; a restricted rk_ key is a secret key', () => {
    expect(failed({ ...good, VERCEL: undefined, CRON_SECRET: undefined })).toEqual([]);
    expect(failed({ ...good, STRIPE_SECRET_KEY: fakeKey('rk_live') })).toEqual([]);
  });

  it('never prints more of a key than its prefix', () => {
    const text = JSON.stringify(
      checkEnv({ ...good, STRIPE_SECRET_KEY: fakeKey('pk_live', 'SECRETPART'), RESEND_API_KEY: 'xx_SECRETPART' }),
    );
    expect(text).not.toContain('SECRETPART');
    expect(keyPrefix(fakeKey('sk_test'))).toBe('sk_test_…');
    expect(keyPrefix(fakeKey('whsec'))).toBe('whsec_…');
  });

  it('reads the address out of MAIL_FROM', () => {
    expect(mailFromAddress('Shop <a@b.example>')).toBe('a@b.example');
    expect(mailFromAddress('a@b.example')).toBe('a@b.example');
    expect(mailFromAddress('Shop')).toBeNull();
  });
});

describe('loadDoctorSettings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with nothing configured, finds the running dev stack in .data/local.json', () => {
    mkdirSync(join(dir, '.data'));
    writeFileSync(
      join(dir, '.data/local.json'),
      JSON.stringify({
        app: { url: 'http://localhost:5173' },
        instant: { url: 'http://127.0.0.1:1', appId: 'app', adminToken: 'tok', local: true },
        stripe: { url: 'http://127.0.0.1:2', secretKey: 'sk_test_x', webhookSecret: 'whsec_x' },
        mailbox: { url: 'http://127.0.0.1:3', apiKey: 're_x' },
        operators: 'ops@example.com',
        paymentLinks: { VITE_CHECKOUT_URL_PLAN_MEDIUM: 'http://127.0.0.1:2/b/x' },
      }),
    );
    const s = loadDoctorSettings({}, dir);
    expect(s).toMatchObject({ source: 'local.json', localInstant: true });
    expect(s.env).toMatchObject({
      INSTANT_APP_ID: 'app',
      INSTANT_API_URI: 'http://127.0.0.1:1',
      STRIPE_API_BASE: 'http://127.0.0.1:2',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      RESEND_BASE_URL: 'http://127.0.0.1:3',
      APP_URL: 'http://localhost:5173',
      OPERATOR_EMAILS: 'ops@example.com',
      VITE_CHECKOUT_URL_PLAN_MEDIUM: 'http://127.0.0.1:2/b/x',
    });
  });

  it('configured settings win over the local stack, and the environment is not modified', () => {
    const base = { INSTANT_APP_ID: 'mine', INSTANT_ADMIN_TOKEN: 't' };
    const s = loadDoctorSettings(base, dir);
    expect(s).toMatchObject({ source: 'env', localInstant: false });
    expect(s.env.STRIPE_API_BASE).toBeUndefined();
    expect(base).toEqual({ INSTANT_APP_ID: 'mine', INSTANT_ADMIN_TOKEN: 't' });
  });
});
