import { Resend } from 'resend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MailMessage } from './mail-store.ts';
import { startMailbox, type Mailbox } from './server.ts';

let mailbox: Mailbox;
let resend: Resend;

beforeAll(async () => {
  mailbox = await startMailbox();
  resend = new Resend(mailbox.apiKey, { baseUrl: mailbox.url });
});
afterAll(() => mailbox.close());
beforeEach(() => mailbox.clear());

async function listJson(to?: string): Promise<MailMessage[]> {
  const res = await fetch(`${mailbox.url}/_local/mailbox/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`);
  return ((await res.json()) as { data: MailMessage[] }).data;
}

describe('mailbox (Resend-compatible)', () => {
  it('receives mail from the real Resend SDK and answers { id }', async () => {
    const { data, error } = await resend.emails.send({
      from: 'Shop <shop@example.com>',
      to: ['Ann@Example.com '],
      subject: 'Your receipt',
      html: '<p>Thanks for your order</p>',
      text: 'Thanks for your order',
      replyTo: 'help@example.com',
    });
    expect(error).toBeNull();
    expect(data?.id).toMatch(/^[0-9a-f-]{36}$/);
    const [mail] = await listJson('  ann@example.com');
    expect(mail).toMatchObject({
      id: data!.id,
      subject: 'Your receipt',
      from: 'Shop <shop@example.com>',
      reply_to: ['help@example.com'],
      source: 'api',
    });
    expect(await listJson('someone@else.com')).toEqual([]);
    const got = await resend.emails.get(data!.id);
    expect(got.data?.subject).toBe('Your receipt');
  });

  it('reads RESEND_BASE_URL from the environment', async () => {
    const saved = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = mailbox.url;
    try {
      const viaEnv = new Resend(mailbox.apiKey);
      const { data } = await viaEnv.emails.send({
        from: 'a@example.com',
        to: 'env@example.com',
        subject: 'Env',
        text: 'hi',
      });
      expect(mailbox.messages({ to: 'env@example.com' })[0].id).toBe(data!.id);
    } finally {
      if (saved === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = saved;
    }
  });

  it('rejects a missing or non-re_ key with 401 in Resend shape', async () => {
    const noKey = await fetch(`${mailbox.url}/emails`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ statusCode: 401, name: 'missing_api_key' });
    const bad = new Resend('sk_test_not_resend', { baseUrl: mailbox.url });
    const { error } = await bad.emails.send({ from: 'a@example.com', to: 'b@example.com', subject: 'x', text: 'x' });
    expect(error).toMatchObject({ statusCode: 401, name: 'invalid_api_key' });
    expect(mailbox.messages()).toHaveLength(0);
  });

  it('validates like Resend (422 validation_error)', async () => {
    const { error } = await resend.emails.send({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'No body',
    } as never);
    expect(error).toMatchObject({ statusCode: 422, name: 'validation_error' });
    expect(mailbox.messages()).toHaveLength(0);
  });

  it('honours Idempotency-Key: same key, same id, one mail; other payload is a 409', async () => {
    const mail = { from: 'a@example.com', to: 'idem@example.com', subject: 'Once', text: 'code 123456' };
    const first = await resend.emails.send(mail, { idempotencyKey: 'order-1/receipt' });
    const second = await resend.emails.send(mail, { idempotencyKey: 'order-1/receipt' });
    expect(second.data?.id).toBe(first.data?.id);
    expect(mailbox.messages({ to: 'idem@example.com' })).toHaveLength(1);
    const other = await resend.emails.send({ ...mail, subject: 'Changed' }, { idempotencyKey: 'order-1/receipt' });
    expect(other.error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
  });

  it('sends batches', async () => {
    const { data, error } = await resend.batch.send([
      { from: 'a@example.com', to: 'one@example.com', subject: '1', text: '1' },
      { from: 'a@example.com', to: 'two@example.com', subject: '2', text: '2' },
    ]);
    expect(error).toBeNull();
    expect(data?.data).toHaveLength(2);
    expect(mailbox.messages().map((m) => m.subject)).toEqual(['2', '1']);
  });

  it('takes direct deliveries, shows magic codes large, newest first, and clears', async () => {
    const waiting = mailbox.waitForMessage({ to: 'code@example.com' });
    mailbox.deliver({
      to: 'code@example.com',
      subject: 'Your sign-in code',
      text: 'Your code is 482913. It expires in 10 minutes.',
    });
    const arrived = await waiting;
    expect(arrived.magic_code).toBe('482913');
    mailbox.deliver({
      to: 'other@example.com',
      subject: 'Later <mail>',
      html: '<p>Hello</p><script>alert(1)</script>',
    });
    const page = await (await fetch(`${mailbox.url}/_local/mailbox`)).text();
    expect(page.indexOf('Later &lt;mail&gt;')).toBeLessThan(page.indexOf('Your sign-in code'));
    expect(page).toContain('data-testid="magic-code">482913<');
    expect(page).not.toContain('<script>alert(1)</script>');
    const del = await fetch(`${mailbox.url}/_local/mailbox/messages`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ deleted: 2 });
    expect(await listJson()).toEqual([]);
  });
});

describe('a body past the limit', () => {
  it.each(['/emails', '/_local/faults'])(
    'is answered on %s with 413 in Resend shape, then mail flows',
    async (path) => {
      const small = await startMailbox({ maxBodyBytes: 1024 });
      try {
        const res = await fetch(`${small.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${small.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ from: 'a@b.co', to: 'c@d.co', subject: 'big', text: 'x'.repeat(1024) }),
        });
        expect(res.status).toBe(413);
        expect(await res.json()).toEqual({
          statusCode: 413,
          name: 'validation_error',
          message: expect.stringContaining('larger than 1024 bytes'),
        });
        const sent = await new Resend(small.apiKey, { baseUrl: small.url }).emails.send({
          from: 'a@b.co',
          to: 'c@d.co',
          subject: 'small',
          text: 'ok',
        });
        expect(small.messages().map((m) => m.id)).toEqual([sent.data!.id]);
      } finally {
        await small.close();
      }
    },
  );
});
