// The stand-in's CLI (`npm run stripe:local -- …`) driving a running stand-in, as a developer would.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeLocal, type StripeLocal } from './server.ts';

const run = promisify(execFile);
let local: StripeLocal;

const cli = async (...args: string[]) =>
  (
    await run(process.execPath, ['--import', 'tsx', 'local/stripe/cli.ts', ...args, '--url', local.url], {
      env: { ...process.env, NO_COLOR: '1' },
    })
  ).stdout;

beforeAll(async () => {
  local = await startStripeLocal();
});
afterAll(() => local.close());

describe('stripe:local CLI', () => {
  it('triggers an event, lists it, and resends it', async () => {
    const triggered = JSON.parse(await cli('trigger', 'checkout.session.completed'));
    const eventId = triggered.events.find((e: { type: string }) => e.type === 'checkout.session.completed').id;
    expect(await cli('events', '--type', 'checkout.session.completed')).toContain(eventId);
    const endpoint = local.addWebhookEndpoint('http://127.0.0.1:9/unreachable');
    await cli('resend', eventId, '--copies', '2', '--endpoint', endpoint.id);
    const copies = local.deliveries().filter((d) => d.event_id === eventId && d.endpoint_id === endpoint.id);
    expect(copies.length).toBeGreaterThanOrEqual(2);
  });

  it('triggers a session expiry, and refuses an unknown command', async () => {
    const session = JSON.parse(await cli('trigger', 'checkout.session.expired'));
    expect(session.events.map((e: { type: string }) => e.type)).toContain('checkout.session.expired');
    await expect(cli('frobnicate')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage: npm run stripe:local'),
    });
  });

  it('sets, shows and clears faults, and refuses a bad plan with a clear message', async () => {
    const plan = { api: { seed: 5, rules: [{ path: '/v1/refunds', rates: { error_500: 0.5 } }] } };
    expect(JSON.parse(await cli('faults', JSON.stringify(plan))).api).toMatchObject(plan.api);
    expect(local.account.faults.api.active).toBe(true);
    expect(JSON.parse(await cli('faults')).api.rules).toEqual(plan.api.rules);
    await cli('faults', '{}');
    expect(local.account.faults.api.active).toBe(false);
    await expect(cli('faults', '{"api":{"rules":[{"rates":{"explode":1}}]}}')).rejects.toMatchObject({
      stderr: expect.stringContaining('faults must be JSON like'),
    });
  });
});
