// Seeds the catalog's wallpapers into Instant (idempotent: ids derive from slugs, writes are
// upserts). `npm run dev` runs it at start; `npm run seed` runs it against any configured app.
import { pathToFileURL } from 'node:url';
import { WALLPAPERS, fullResFile, thumbnailPath } from '../catalog/wallpapers.ts';
import { wallpaperIdFor } from '../api/_lib/fulfillment/purchase-ids.ts';
import { adminDb } from '../api/_lib/platform/instant-admin.ts';
import { cliArgs } from '../local/cli-args.ts';
import { loadEnvFile } from './load-env-file.ts';

export const SEED_CLI = {
  usage: `usage: npm run seed

Seeds the catalog's wallpapers into the Instant app configured by INSTANT_APP_ID and
INSTANT_ADMIN_TOKEN (environment, else .env.local). Safe to run again: it updates in place.`,
  options: {},
} as const;

export async function seedCatalog(db = adminDb()): Promise<number> {
  await db.transact(
    WALLPAPERS.map((w) =>
      db.tx.wallpapers[wallpaperIdFor(w.slug)].update({
        slug: w.slug,
        name: w.name,
        description: w.description,
        thumbnailUrl: thumbnailPath(w.slug),
        fullResUrl: fullResFile(w.slug),
        order: w.order,
      }),
    ),
  );
  return WALLPAPERS.length;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cliArgs(SEED_CLI);
  loadEnvFile();
  const n = await seedCatalog();
  console.log(`seeded ${n} wallpapers`);
}
