import { describe, expect, it } from 'vitest';
import { loadDevSettings, parseDotenv, SettingsError } from './settings.ts';

const load = (env: Record<string, string>) => loadDevSettings(env, '/nonexistent/.env.local');

describe('dev settings', () => {
  it('needs nothing: every service falls back to its local stand-in', () => {
    expect(load({})).toEqual({ PORT: 5173 });
  });

  it('names the variable and the fix for a publishable key used as the secret key', () => {
    expect(() => load({ STRIPE_SECRET_KEY: 'pk_test_123', STRIPE_WEBHOOK_SECRET: 'whsec_x' })).toThrow(
      new SettingsError('STRIPE_SECRET_KEY holds a publishable key (pk_…); use the secret key, which starts with sk_'),
    );
  });

  it('asks for the webhook secret with a real Stripe key, and for both Instant credentials together', () => {
    expect(() => load({ STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => load({ INSTANT_APP_ID: '2e6ddb70-c3e6-47a0-b8fe-4282538cdcf3' })).toThrow(
      /INSTANT_APP_ID and INSTANT_ADMIN_TOKEN together/,
    );
    expect(() => load({ INSTANT_APP_ID: 'my-app', INSTANT_ADMIN_TOKEN: 't' })).toThrow(
      /INSTANT_APP_ID must be your Instant app id/,
    );
  });

  it('accepts a complete real configuration, self-hosted Instant included', () => {
    const s = load({
      INSTANT_APP_ID: '2e6ddb70-c3e6-47a0-b8fe-4282538cdcf3',
      INSTANT_ADMIN_TOKEN: 'tok',
      INSTANT_API_URI: 'https://instant.example.com',
      INSTANT_WEBSOCKET_URI: 'wss://instant.example.com/runtime/session',
      STRIPE_SECRET_KEY: 'sk_test_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      RESEND_API_KEY: 're_abc',
      PORT: '3000',
    });
    expect(s.PORT).toBe(3000);
    expect(s.INSTANT_WEBSOCKET_URI).toBe('wss://instant.example.com/runtime/session');
  });

  it('reads .env files: comments, quotes, export', () => {
    expect(parseDotenv('# c\nA=1\nexport B="two words"\n\nC=\'x\'')).toEqual({ A: '1', B: 'two words', C: 'x' });
  });
});
