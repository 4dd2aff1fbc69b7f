// With real settings, `npm run dev` starts no stand-in for what is configured: here an Instant
// server of our own plays the "real" Instant app, and Stripe and Resend are configured with keys.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevStack, type DevStack } from '../../local/dev/dev-stack.ts';
import { loadProjectConfig } from '../../local/instant/project-config.ts';
import { startInstantLocal, type InstantLocal } from '../../local/instant/server.ts';
import { adminFor } from '../support/instant-clients.ts';

let real: InstantLocal;
let stack: DevStack;

beforeAll(async () => {
  real = await startInstantLocal({ memory: true, ...(await loadProjectConfig()) });
  stack = await startDevStack({
    settings: {
      PORT: 0,
      INSTANT_APP_ID: real.appId,
      INSTANT_ADMIN_TOKEN: real.adminToken,
      INSTANT_API_URI: real.url,
      INSTANT_WEBSOCKET_URI: `${real.url.replace('http', 'ws')}/runtime/session`,
      STRIPE_SECRET_KEY: 'sk_test_configured_elsewhere',
      STRIPE_WEBHOOK_SECRET: 'whsec_configured_elsewhere',
      RESEND_API_KEY: 're_configured_elsewhere',
    },
    memory: true,
    quiet: true,
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await real?.close();
});

it('uses the configured Instant server, Stripe key and Resend key, and starts no stand-in', async () => {
  expect(stack.instant).toEqual({ url: real.url, appId: real.appId, adminToken: real.adminToken, local: false });
  expect(stack.stripe).toBeNull();
  expect(stack.mailbox).toBeNull();
  expect(process.env.STRIPE_SECRET_KEY).toBe('sk_test_configured_elsewhere');
  expect(process.env.STRIPE_API_BASE).toBeUndefined();
  expect(process.env.RESEND_BASE_URL).toBeUndefined();
  // The catalog was seeded into the configured app, and the SPA is pointed at it.
  expect((await adminFor(real).query({ wallpapers: {} })).wallpapers).toHaveLength(8);
  const html = await (await fetch(`${stack.url}/src/instant.ts`)).text();
  expect(html).toContain(real.appId);
});
