// The catalog is validated in CI (here), at every function's cold start, and by `npm run dev`.
import { describe, expect, it } from 'vitest';
import { validateCatalog } from '../catalog/product-schema.ts';
import { PRODUCTS } from '../catalog/products.ts';

describe('catalog', () => {
  it('is valid and sells every kind', () => {
    expect(
      validateCatalog(PRODUCTS)
        .map((p) => p.kind)
        .sort(),
    ).toEqual(expect.arrayContaining(['credits', 'download', 'plan', 'wallpaper-pack']));
  });

  it('names each problem: duplicate ids, unknown wallpapers, bad prices', () => {
    const pack = PRODUCTS.find((p) => p.kind === 'wallpaper-pack')!;
    expect(() => validateCatalog([pack, pack])).toThrow(`Duplicate product id ${pack.id}`);
    expect(() => validateCatalog([{ ...pack, wallpapers: ['nope'] }])).toThrow(
      `${pack.id} lists unknown wallpaper nope`,
    );
    expect(() => validateCatalog([{ ...pack, price: { amount: 5, currency: 'USD' } }])).toThrow(/\[0\.price/);
    expect(() => validateCatalog([{ ...pack, price: { priceIds: { live: 'prod_123' } } }])).toThrow(
      /catalog\/products.ts is not valid/,
    );
  });
});

describe('function start-up check', () => {
  it('refuses to start in production without RESEND_API_KEY, and accepts development without it', async () => {
    const { checkStartup } = await import('../api/_lib/platform/startup-check.ts');
    expect(() => checkStartup({ VERCEL_ENV: 'production' })).toThrow(
      /RESEND_API_KEY is not set: receipts cannot be sent in production/,
    );
    expect(() => checkStartup({ NODE_ENV: 'production', RESEND_API_KEY: 're_live_key' })).not.toThrow();
    expect(() => checkStartup({ VERCEL_ENV: 'preview' })).not.toThrow();
  });
});
