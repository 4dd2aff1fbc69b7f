// Seeds the catalog's wallpapers into Instant (idempotent: ids derive from slugs, writes are
// upserts). The dev stack runs it at start; `npm run seed` (scripts/seed.ts) runs it against any
// configured app.
import { WALLPAPERS, fullResFile, thumbnailPath } from '../../catalog/wallpapers.ts';
import { wallpaperIdFor } from '../../api/_lib/fulfillment/purchase-ids.ts';
import { adminDb } from '../../api/_lib/platform/instant-admin.ts';

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
