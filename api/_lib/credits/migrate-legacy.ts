// Legacy ledgers (entries carrying `slot`, `seq` and the running `balance`) into the lots design:
// what each legacy user's entries add up to becomes their opening lot (lots.ts
// `openLegacyBalance`). The entries themselves stay as they are: they are the user's history.
// Only create-only writes with ids derived from the user, so it is safe to run twice, at once
// with itself, and while the shop serves (a spend that meets an unopened balance opens it the
// same way).
import { adminDb } from '../platform/instant-admin.ts';
import { openLegacyBalance, unopenedLegacyOf } from './lots.ts';

export type MigrationReport = {
  /** Users with a legacy ledger. */
  ledgers: number;
  /** Opening lots this run created (a dry run: would create). */
  opened: number;
  /** Ledgers whose opening lot was there already (an earlier or a concurrent run, or a spend). */
  alreadyOpen: number;
};

const PAGE = 200;
// Ledgers migrated at once: enough to keep a remote Instant busy, few enough not to swamp it.
const CONCURRENCY = 8;

/** Each legacy ledger has exactly one entry with `seq` 1 (its slot `<userId>:1` is unique): one per user. */
async function legacyUsers(after: string): Promise<string[]> {
  const { ledgerEntries } = await adminDb().query({
    ledgerEntries: {
      $: { where: { seq: 1, ...(after ? { userId: { $gt: after } } : {}) }, order: { userId: 'asc' }, limit: PAGE },
    },
  });
  return ledgerEntries.map((e) => e.userId);
}

async function migrateOne(userId: string, dryRun: boolean): Promise<'opened' | 'already-open'> {
  const legacy = await unopenedLegacyOf(userId);
  if (!legacy) return 'already-open';
  return dryRun ? 'opened' : openLegacyBalance(userId, legacy);
}

export async function migrateLegacyLedgers({ dryRun = false } = {}): Promise<MigrationReport> {
  const report: MigrationReport = { ledgers: 0, opened: 0, alreadyOpen: 0 };
  for (let after = ''; ;) {
    const users = await legacyUsers(after);
    for (let i = 0; i < users.length; i += CONCURRENCY) {
      const outcomes = await Promise.all(users.slice(i, i + CONCURRENCY).map((u) => migrateOne(u, dryRun)));
      for (const o of outcomes) report[o === 'opened' ? 'opened' : 'alreadyOpen']++;
    }
    report.ledgers += users.length;
    if (users.length < PAGE) return report;
    after = users.at(-1)!;
  }
}
