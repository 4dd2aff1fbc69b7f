// Resend's domains API (`GET /domains`, `GET /domains/{id}`), in Resend's wire format, so that a
// check of "is MAIL_FROM's domain verified" runs unchanged against the mailbox. Domains are set
// from code (tests, the dev stack); a domain's DNS records share its status, as after Resend's check.
import { createHash } from 'node:crypto';

export type DomainStatus =
  'not_started' | 'pending' | 'verified' | 'failed' | 'partially_verified' | 'partially_failed';

export interface LocalDomain {
  object: 'domain';
  id: string;
  name: string;
  status: DomainStatus;
  created_at: string;
  region: 'us-east-1';
  capabilities: { sending: 'enabled'; receiving: 'disabled' };
}

/** The sender domain the shop uses when MAIL_FROM is unset: verified, so receipts "send" locally. */
export const DEFAULT_DOMAINS: { name: string; status: DomainStatus }[] = [
  { name: 'instant-shop.local', status: 'verified' },
];

function uuidFor(name: string): string {
  const h = createHash('sha1').update(`domain:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Resend's timestamp format for domains, e.g. `2023-04-26T20:21:26.347412+00:00`. */
function resendTime(d: Date): string {
  return d.toISOString().replace('Z', '000+00:00');
}

export class DomainStore {
  private readonly byName = new Map<string, LocalDomain>();

  constructor(initial: { name: string; status: DomainStatus }[] = DEFAULT_DOMAINS) {
    for (const d of initial) this.set(d.name, d.status);
  }

  /** Adds a domain or changes its status (names compared lower-cased, as DNS names are). */
  set(name: string, status: DomainStatus): LocalDomain {
    const key = name.trim().toLowerCase();
    const existing = this.byName.get(key);
    if (existing) {
      existing.status = status;
      return existing;
    }
    const domain: LocalDomain = {
      object: 'domain',
      id: uuidFor(key),
      name: key,
      status,
      created_at: resendTime(new Date()),
      region: 'us-east-1',
      capabilities: { sending: 'enabled', receiving: 'disabled' },
    };
    this.byName.set(key, domain);
    return domain;
  }

  remove(name: string): boolean {
    return this.byName.delete(name.trim().toLowerCase());
  }

  /** `GET /domains`: newest first, without `object` on each item, as Resend lists them. */
  list(limit?: number): { object: 'list'; has_more: boolean; data: Omit<LocalDomain, 'object'>[] } {
    const all = [...this.byName.values()].reverse().map(({ object: _object, ...d }) => d);
    const data = limit === undefined ? all : all.slice(0, limit);
    return { object: 'list', has_more: data.length < all.length, data };
  }

  /** `GET /domains/{id}`: the domain with the DNS records Resend asks for. */
  get(id: string): (LocalDomain & { records: Record<string, unknown>[] }) | null {
    const domain = [...this.byName.values()].find((d) => d.id === id);
    if (!domain) return null;
    const status =
      domain.status === 'verified'
        ? 'verified'
        : domain.status === 'failed'
          ? 'failed'
          : domain.status === 'pending'
            ? 'pending'
            : 'not_started';
    const dkim = createHash('sha256').update(domain.name).digest('base64');
    return {
      ...domain,
      records: [
        {
          record: 'SPF',
          name: 'send',
          type: 'MX',
          ttl: 'Auto',
          status,
          value: 'feedback-smtp.us-east-1.amazonses.com',
          priority: 10,
        },
        { record: 'SPF', name: 'send', type: 'TXT', ttl: 'Auto', status, value: '"v=spf1 include:amazonses.com ~all"' },
        { record: 'DKIM', name: 'resend._domainkey', type: 'TXT', ttl: 'Auto', status, value: `p=${dkim}` },
      ],
    };
  }
}
