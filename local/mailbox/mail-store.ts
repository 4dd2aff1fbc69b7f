import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { BoundedLog } from '../bounded-log.ts';

export interface MailMessage {
  /** Resend-style UUID. */
  id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  reply_to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
  tags: { name: string; value: string }[];
  /** ISO time it arrived. */
  created_at: string;
  /** `api` when sent through the Resend API, `direct` when dropped in with `deliver`. */
  source: 'api' | 'direct';
  /** A sign-in code found in the mail (e.g. Instant's 6-digit magic code), shown large on the page. */
  magic_code: string | null;
}

export interface MailFilter {
  to?: string;
  /** Only mails that carry a sign-in code (Instant's magic-code mails). */
  withCode?: boolean;
}

export type NewMail = Omit<MailMessage, 'id' | 'created_at' | 'magic_code'>;

export function normalizeEmail(address: string): string {
  // `Name <a@b.co>` → `a@b.co`
  const angle = /<([^>]+)>/.exec(address);
  return (angle ? angle[1] : address).trim().toLowerCase();
}

/** A standalone 6-digit code, as Instant's magic-code mails carry (years and prices don't match). */
export function findMagicCode(text: string | null, html: string | null): string | null {
  const plain = text ?? (html ? html.replace(/<[^>]+>/g, ' ') : '');
  const m = /(?:^|[^\d#&$.,])(\d{6})(?!\d|[.,]\d)/.exec(plain);
  return m ? m[1] : null;
}

/** Mails kept; older ones are dropped. */
export const MAIL_LIMIT = 5000;

/** Received mail, newest last internally; listed newest first. */
export class MailStore extends EventEmitter<{ mail: [MailMessage] }> {
  private readonly messages = new BoundedLog<MailMessage>(MAIL_LIMIT);

  add(mail: NewMail): MailMessage {
    const message: MailMessage = {
      ...mail,
      id: randomUUID(),
      created_at: new Date().toISOString(),
      magic_code: findMagicCode(mail.text, mail.html),
    };
    this.messages.push(message);
    this.emit('mail', message);
    return message;
  }

  get(id: string): MailMessage | undefined {
    return this.messages.findLast((m) => m.id === id);
  }

  /** Newest first; `to` compares addresses lower-cased and trimmed. */
  list(filter: MailFilter = {}): MailMessage[] {
    const to = filter.to ? normalizeEmail(filter.to) : null;
    return this.messages
      .toArray()
      .filter((m) => !to || [...m.to, ...m.cc, ...m.bcc].some((addr) => normalizeEmail(addr) === to))
      .filter((m) => !filter.withCode || m.magic_code !== null)
      .reverse();
  }

  /** The newest matching mail already here, or the next one to arrive. */
  waitFor(filter: MailFilter = {}, after?: string): Promise<MailMessage> {
    const existing = this.list(filter).find((m) => !after || m.created_at > after);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const onMail = (): void => {
        const found = this.list(filter)[0];
        if (found && (!after || found.created_at > after)) {
          this.off('mail', onMail);
          resolve(found);
        }
      };
      this.on('mail', onMail);
    });
  }

  clear(): number {
    const n = this.messages.length;
    this.messages.clear();
    return n;
  }
}
