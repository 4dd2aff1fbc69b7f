// The catalog's schema (zod), and the check that the whole list is sound: unique ids, known
// wallpapers in packs, prices in one of the supported forms.
import { z } from 'zod';
import { WALLPAPERS } from './wallpapers.ts';

const price = z.union([
  // An inline price: works on any Stripe account with no setup.
  z.object({
    amount: z.number().int().positive(),
    currency: z.string().regex(/^[a-z]{3}$/, 'currency must be a lower-case ISO code'),
  }),
  // A Stripe price looked up by its lookup_key, so that test and live accounts switch by configuration.
  z.object({ lookupKey: z.string().min(1) }),
  // Price ids per environment (local/test/live), chosen by STRIPE_PRICE_ENV.
  z.object({ priceIds: z.record(z.string(), z.string().startsWith('price_')) }),
]);

const base = { id: z.string().regex(/^[a-z0-9-]+$/), title: z.string().min(1), description: z.string().min(1), price };

export const productSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('wallpaper-pack'), wallpapers: z.array(z.string()).min(1) }),
  z.object({ ...base, kind: z.literal('credits'), credits: z.number().int().positive() }),
  z.object({ ...base, kind: z.literal('plan'), plan: z.string().min(1), level: z.number().int().positive() }),
  // `file` is relative to private/products/; `withdrawn` stops sales and downloads (410).
  z.object({ ...base, kind: z.literal('download'), file: z.string().min(1), withdrawn: z.boolean().optional() }),
]);

export type Product = z.infer<typeof productSchema>;
export type ProductKind = Product['kind'];

const catalogSchema = z.array(productSchema).superRefine((list, ctx) => {
  const ids = new Set<string>();
  for (const p of list) {
    if (ids.has(p.id)) ctx.addIssue({ code: 'custom', message: `Duplicate product id ${p.id}` });
    ids.add(p.id);
    if (p.kind === 'wallpaper-pack') {
      for (const slug of p.wallpapers) {
        if (!WALLPAPERS.some((w) => w.slug === slug))
          ctx.addIssue({ code: 'custom', message: `${p.id} lists unknown wallpaper ${slug}` });
      }
    }
  }
});

/** The catalog as validated, or an error that names each problem (product id and field). */
export function validateCatalog(list: readonly unknown[]): Product[] {
  const parsed = catalogSchema.safeParse(list);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length ? `[${i.path.join('.')}] ` : ''}${i.message}`);
  throw new Error(`catalog/products.ts is not valid: ${problems.join('; ')}`);
}
