// Every product the shop sells, in one typed list. It is plain data, so the SPA can import it
// without a validation library; catalog/product-schema.ts validates it where it matters (the
// api/ functions at cold start, `npm run dev` at start, and CI).
import type { Product } from './product-schema.ts';
import { WALLPAPERS } from './wallpapers.ts';

export type { Product, ProductKind } from './product-schema.ts';

export const PRODUCTS: readonly Product[] = [
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

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

export function formatPrice(p: Product): string | null {
  if (!('amount' in p.price)) return null;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: p.price.currency.toUpperCase() }).format(
    p.price.amount / 100,
  );
}
