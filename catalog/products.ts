// Every product the shop sells, in one typed list, validated when it is loaded (so a mistake
// fails at start and in CI, not at checkout). Used by the SPA (titles, prices) and the api/.
import { z } from 'zod';
import { WALLPAPERS } from './wallpapers.ts';

const price = z.union([
  // An inline price: works on any Stripe account with no setup.
  z.object({ amount: z.number().int().positive(), currency: z.string().regex(/^[a-z]{3}$/, 'currency must be a lower-case ISO code') }),
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

const PRODUCTS_INPUT: Product[] = [
  {
    id: 'wallpapers-all',
    kind: 'wallpaper-pack',
    title: 'Every wallpaper',
    description: 'All eight wallpapers in full resolution.',
    price: { amount: 1200, currency: 'usd' },
    // A pack is exactly the wallpapers listed here when it is bought; wallpapers added to the
    // catalog later do not join packs bought earlier.
    wallpapers: WALLPAPERS.map((w) => w.slug),
  },
  {
    id: 'wallpapers-warm',
    kind: 'wallpaper-pack',
    title: 'Warm trio',
    description: 'Dune, Ember and Citrus in full resolution.',
    price: { amount: 500, currency: 'usd' },
    wallpapers: ['dune', 'ember', 'citrus'],
  },
  // Credit packs: bought signed in at /credits; each haiku costs one credit.
  {
    id: 'credits-small',
    kind: 'credits',
    title: '10 credits',
    description: 'Ten haikus, written on demand.',
    price: { amount: 500, currency: 'usd' },
    credits: 10,
  },
  {
    id: 'credits-large',
    kind: 'credits',
    title: '50 credits',
    description: 'Fifty haikus, for a fifth off.',
    price: { amount: 2000, currency: 'usd' },
    credits: 50,
  },
  // Plans: one-time purchases that raise the signed-in user's plan; only a higher one can be bought.
  {
    id: 'plan-medium',
    kind: 'plan',
    title: 'Medium plan',
    description: 'Haikus with a signature line, for good.',
    price: { amount: 1500, currency: 'usd' },
    plan: 'medium',
    level: 1,
  },
  {
    id: 'plan-large',
    kind: 'plan',
    title: 'Large plan',
    description: 'Everything in Medium, and a gold badge.',
    price: { amount: 3000, currency: 'usd' },
    plan: 'large',
    level: 2,
  },
  {
    id: 'field-guide',
    kind: 'download',
    title: 'The Wallpaper Field Guide',
    description: 'A short PDF on how the wallpapers were made.',
    price: { amount: 300, currency: 'usd' },
    file: 'wallpaper-field-guide.pdf',
  },
];

export const PRODUCTS: Product[] = z
  .array(productSchema)
  .superRefine((list, ctx) => {
    const ids = new Set<string>();
    for (const p of list) {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', message: `Duplicate product id ${p.id}` });
      ids.add(p.id);
      if (p.kind === 'wallpaper-pack') {
        for (const slug of p.wallpapers) {
          if (!WALLPAPERS.some((w) => w.slug === slug)) ctx.addIssue({ code: 'custom', message: `${p.id} lists unknown wallpaper ${slug}` });
        }
      }
    }
  })
  .parse(PRODUCTS_INPUT);

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

export function formatPrice(p: Product): string | null {
  if (!('amount' in p.price)) return null;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: p.price.currency.toUpperCase() }).format(p.price.amount / 100);
}
