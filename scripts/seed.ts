// `npm run seed`: seeds the catalog's wallpapers into the configured Instant app
// (local/dev/seed-catalog.ts, which `npm run dev` runs at start too).
import { pathToFileURL } from 'node:url';
import { seedCatalog } from '../local/dev/seed-catalog.ts';
import { cliArgs } from '../local/cli-args.ts';
import { loadEnvFile } from './load-env-file.ts';

export const SEED_CLI = {
  usage: `usage: npm run seed

Seeds the catalog's wallpapers into the Instant app configured by INSTANT_APP_ID and
INSTANT_ADMIN_TOKEN (environment, else .env.local). Safe to run again: it updates in place.`,
  options: {},
} as const;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cliArgs(SEED_CLI);
  loadEnvFile();
  const n = await seedCatalog();
  console.log(`seeded ${n} wallpapers`);
}
