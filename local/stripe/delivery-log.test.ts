import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../faults/fault-plan.ts';
import { WEBHOOK_FAULTS } from './faults.ts';
import { LOG_LIMIT, WebhookDispatcher } from './webhooks.ts';

describe('webhook delivery log', () => {
  it('keeps exactly the newest LOG_LIMIT attempts however many were made past it', async () => {
    // Every attempt fails by injected fault before any connection, so this needs no endpoint.
    const faults = new FaultPlan(WEBHOOK_FAULTS, { hangMs: 0 }, { rules: [{ path: '*', rates: { fail: 1 } }] });
    const dispatcher = new WebhookDispatcher({ maxAttempts: 1, concurrency: 50 }, faults);
    const total = 2 * LOG_LIMIT + 5;
    for (let n = 0; n < total; n++) {
      dispatcher.send({
        eventId: `evt_${n}`,
        eventType: 'customer.created',
        payload: () => '{}',
        target: { id: 'we_1', url: 'http://127.0.0.1:9/webhook', secret: 'whsec_test' },
        copy: 0,
        onSuccess: () => {},
      });
    }
    await dispatcher.whenIdle();
    const log = dispatcher.log;
    expect(log).toHaveLength(LOG_LIMIT);
    expect(log[0].event_id).toBe(`evt_${total - LOG_LIMIT}`);
    expect(log.at(-1)!.event_id).toBe(`evt_${total - 1}`);
    expect(
      log.every((a) => a.status === 'failed' && a.error === 'could not connect: injected fault: connection refused'),
    ).toBe(true);
    dispatcher.close();
    expect(dispatcher.log).toEqual([]);
  });
});
