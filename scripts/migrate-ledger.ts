// `npm run migrate:ledger`: turns every legacy credits ledger's balance into its opening lot
// (api/_lib/credits/migrate-legacy.ts). Run it once the schema is pushed and the new code is live;
// safe to run again, or twice at once.
import { pathToFileURL } from 'node:url';
import { migrateLegacyLedgers } from '../api/_lib/credits/migrate-legacy.ts';
import { cliArgs } from '../local/cli-args.ts';
import { loadEnvFile } from './load-env-file.ts';

export const MIGRATE_LEDGER_CLI = {
  usage: `usage: npm run migrate:ledger [-- --dry-run]

Opens the balance of every credits ledger written before credit lots (entries with a running
balance) as that user's opening lot, in the Instant app configured by INSTANT_APP_ID and
INSTANT_ADMIN_TOKEN (environment, else .env.local). Entries are left as they are. Safe to run
again and concurrently: it only creates, with ids derived from each user.

  --dry-run   count the ledgers it would open, change nothing`,
  options: { 'dry-run': { type: 'boolean' } },
} as const;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = cliArgs(MIGRATE_LEDGER_CLI);
  loadEnvFile();
  const dryRun = Boolean(values['dry-run']);
  const r = await migrateLegacyLedgers({ dryRun });
  console.log(
    `${r.ledgers} legacy ledgers: ${r.opened} ${dryRun ? 'to open' : 'opened'}, ${r.alreadyOpen} already open`,
  );
}
