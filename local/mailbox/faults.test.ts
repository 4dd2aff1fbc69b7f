import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultDraw } from '../faults/fault-plan.ts';
import { startMailbox, type Mailbox } from './server.ts';

let box: Mailbox;
const mail = { from: 'shop@instant-shop.local', to: 'buyer@example.com', subject: 'Receipt', text: 'hi' };
const post = (body: unknown) => fetch(`${box.url}/_local/faults`, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  box = await startMailbox();
  process.env.RESEND_BASE_URL = box.url;
});
afterAll(() => box.close());

describe('mailbox faults', () => {
  it('are off by default; a bad configuration gets a 400', async () => {
    expect(await (await fetch(`${box.url}/_local/faults`)).json()).toMatchObject({ rules: [], injected: {} });
    const bad = await post({ rules: [{ path: '/emails', rates: { explode: 1 } }] });
    expect(bad.status).toBe(400);
  });

  it('a failed send sends nothing; the retry under the same key sends once', async () => {
    const key = 'receipt/fail-test';
    let seed = 0;
    while (!(faultDraw(seed, `/emails ${key}`, 1) < 0.5 && faultDraw(seed, `/emails ${key}`, 2) >= 0.5)) seed++;
    expect((await post({ seed, rules: [{ path: '/emails', rates: { fail: 0.5 } }] })).status).toBe(200);
    const resend = new Resend(box.apiKey);
    const first = await resend.emails.send(mail, { idempotencyKey: key });
    expect(first.error).toMatchObject({ statusCode: 500 });
    expect(box.messages()).toHaveLength(0);
    const second = await resend.emails.send(mail, { idempotencyKey: key });
    expect(second.error).toBeNull();
    expect(box.messages()).toHaveLength(1);
    await post({});
  });

  it('a hung send is sent but unanswered; the retry under the same key replays, still one mail', async () => {
    box.clear();
    const key = 'receipt/hang-test';
    let seed = 0;
    while (!(faultDraw(seed, `/emails ${key}`, 1) < 0.5 && faultDraw(seed, `/emails ${key}`, 2) >= 0.5)) seed++;
    box.setFaults({ seed, hang_ms: 60_000, rules: [{ path: '/emails', rates: { hang: 0.5 } }] });
    const resend = new Resend(box.apiKey);
    const first = await resend.emails.send(mail, { idempotencyKey: key, signal: AbortSignal.timeout(200) });
    expect(first.error).not.toBeNull();
    const second = await resend.emails.send(mail, { idempotencyKey: key });
    expect(second.error).toBeNull();
    expect(box.messages()).toHaveLength(1);
    box.setFaults({});
  });
});
