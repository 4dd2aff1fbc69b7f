import { describe, expect, it } from 'vitest';
import { MAIL_LIMIT, MailStore, type NewMail } from './mail-store.ts';

const mail = (n: number): NewMail => ({
  from: 'Shop <orders@shop.test>',
  to: [`buyer${n}@example.com`],
  cc: [],
  bcc: [],
  reply_to: [],
  subject: `Order ${n}`,
  text: 'Thanks',
  html: null,
  headers: {},
  tags: [],
  source: 'api',
});

describe('mail store', () => {
  it('keeps exactly the newest MAIL_LIMIT mails however many arrive past it', () => {
    const store = new MailStore();
    const ids: string[] = [];
    // Past twice the limit, so the batch drop of old mails has happened and more arrived after it.
    for (let n = 0; n < 2 * MAIL_LIMIT + 7; n++) ids.push(store.add(mail(n)).id);
    const listed = store.list();
    expect(listed).toHaveLength(MAIL_LIMIT);
    expect(listed[0].subject).toBe(`Order ${2 * MAIL_LIMIT + 6}`);
    expect(listed.at(-1)!.subject).toBe(`Order ${MAIL_LIMIT + 7}`);
    expect(store.get(ids.at(-MAIL_LIMIT)!)?.subject).toBe(`Order ${MAIL_LIMIT + 7}`);
    expect(store.get(ids.at(-MAIL_LIMIT - 1)!)).toBeUndefined();
    expect(store.list({ to: `BUYER${MAIL_LIMIT + 6}@example.com` })).toEqual([]);
    expect(store.list({ to: ` buyer${MAIL_LIMIT + 7}@example.com` })).toHaveLength(1);
    expect(store.clear()).toBe(MAIL_LIMIT);
    expect(store.list()).toEqual([]);
  });

  it('drops the oldest mail as soon as one more than the limit arrived', () => {
    const store = new MailStore();
    for (let n = 0; n < MAIL_LIMIT + 1; n++) store.add(mail(n));
    expect(store.list()).toHaveLength(MAIL_LIMIT);
    expect(store.list().at(-1)!.subject).toBe('Order 1');
  });
});
