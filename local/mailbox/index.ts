export { startMailbox, DEFAULT_RESEND_KEY, type Mailbox, type MailboxOptions, type DirectMail } from './server.ts';
export type { DomainStatus, LocalDomain } from './domains.ts';
export type { MailMessage, MailFilter } from './mail-store.ts';
