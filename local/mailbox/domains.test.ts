import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeKey } from '../../tests/support/fake-keys.ts';
import { startMailbox, type Mailbox } from './server.ts';

let mailbox: Mailbox;
let resend: Resend;

beforeAll(async () => {
  mailbox = await startMailbox({ domains: [] });
  resend = new Resend(mailbox.apiKey, { baseUrl: mailbox.url });
});
afterAll(() => mailbox.close());

describe("mailbox: Resend's domains API", () => {
  it("lists domains to the real SDK in Resend's shape, newest first, with their status", async () => {
    expect((await resend.domains.list()).data).toEqual({ object: 'list', has_more: false, data: [] });
    mailbox.setDomain('Shop.Example', 'not_started');
    mailbox.setDomain('mail.example.org', 'verified');
    const { data, error } = await resend.domains.list();
    expect(error).toBeNull();
    expect(data!.data.map((d) => [d.name, d.status])).toEqual([
      ['mail.example.org', 'verified'],
      ['shop.example', 'not_started'],
    ]);
    const d = data!.data[0];
    expect(d).toMatchObject({ region: 'us-east-1', capabilities: { sending: 'enabled', receiving: 'disabled' } });
    expect(d.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(d.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect('object' in d).toBe(false);
  });

  it('pages with limit and answers a bad limit with a validation error', async () => {
    const { data } = await resend.domains.list({ limit: 1 });
    expect(data!.data).toHaveLength(1);
    expect(data!.has_more).toBe(true);
    const bad = await fetch(`${mailbox.url}/domains?limit=0`, {
      headers: { authorization: `Bearer ${mailbox.apiKey}` },
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ name: 'validation_error' });
  });

  it('gets one domain with its DNS records, whose status follows the domain', async () => {
    const listed = (await resend.domains.list()).data!.data.find((d) => d.name === 'shop.example')!;
    const { data } = await resend.domains.get(listed.id);
    expect(data).toMatchObject({ object: 'domain', id: listed.id, name: 'shop.example', status: 'not_started' });
    expect(data!.records.map((r) => [r.record, r.type, r.status])).toEqual([
      ['SPF', 'MX', 'not_started'],
      ['SPF', 'TXT', 'not_started'],
      ['DKIM', 'TXT', 'not_started'],
    ]);
    mailbox.setDomain('shop.example', 'verified');
    expect((await resend.domains.get(listed.id)).data!.records.every((r) => r.status === 'verified')).toBe(true);
    const missing = await resend.domains.get('00000000-0000-4000-8000-000000000000');
    expect(missing.error).toMatchObject({ name: 'not_found' });
  });

  it('refuses a stranger (no key, a non-Resend key) and a key that may only send', async () => {
    const none = await fetch(`${mailbox.url}/domains`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ name: 'missing_api_key' });
    const stranger = await new Resend(fakeKey('sk_live', 'notresend'), { baseUrl: mailbox.url }).domains.list();
    expect(stranger.error).toMatchObject({ name: 'invalid_api_key' });
    mailbox.restrictKey('re_sending_only', true);
    const restricted = await new Resend('re_sending_only', { baseUrl: mailbox.url }).domains.list();
    expect(restricted.error).toMatchObject({
      name: 'restricted_api_key',
      message: 'This API key is restricted to only send emails',
    });
    // The same key still sends.
    const sent = await new Resend('re_sending_only', { baseUrl: mailbox.url }).emails.send({
      from: 'a@shop.example',
      to: 'b@example.com',
      subject: 's',
      text: 't',
    });
    expect(sent.error).toBeNull();
  });

  it('answers a write to the domains API with method_not_allowed rather than pretending', async () => {
    const res = await fetch(`${mailbox.url}/domains`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mailbox.apiKey}` },
      body: '{}',
    });
    expect(res.status).toBe(405);
  });

  it("starts with the shop's default sender domain verified when no domains are given", async () => {
    const m = await startMailbox();
    try {
      const { data } = await new Resend(m.apiKey, { baseUrl: m.url }).domains.list();
      expect(data!.data.map((d) => [d.name, d.status])).toEqual([['instant-shop.local', 'verified']]);
    } finally {
      await m.close();
    }
  });
});
