// Owner-only downloads: every status code with the real file bytes and headers.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile } from '../api/_lib/files/download-file.ts';
import { purchaseIdFor } from '../api/_lib/fulfillment/purchase-ids.ts';
import { signedPath } from '../api/_lib/files/signed-urls.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';
import { buy, fetchAttachment } from './support/shop.ts';

let shop: ShopStack;
let bought: { purchaseId: string; token: string; sessionId: string };

async function buyGuide(email: string) {
  const { token, sessionId } = await buy(shop, 'field-guide', email);
  return { purchaseId: purchaseIdFor(sessionId), token, sessionId };
}

beforeAll(async () => {
  shop = await startShopStack();
  bought = await buyGuide('reader@example.com');
});
afterAll(() => shop.close());

const ask = (purchaseId: string, body: unknown, headers: Record<string, string> = {}) =>
  shop.post(`/api/downloads/${purchaseId}`, body, headers);

describe('POST /api/downloads/{purchaseId}', () => {
  it('streams the file to the token holder: 200 with type, length, attachment name and no-store', async () => {
    const res = await ask(bought.purchaseId, { token: bought.token });
    expect(res.status).toBe(200);
    const { url } = await res.json();
    expect(url).toMatch(/^\/api\/files\/download\?/);
    expect(url).not.toContain(bought.token);
    const bytes = await fetchAttachment(shop, url, 'application/pdf', 'wallpaper-field-guide.pdf');
    expect(bytes.equals(readFileSync('private/products/wallpaper-field-guide.pdf'))).toBe(true);
  });

  it('serves the signed-in owner by email', async () => {
    const token = await shop.admin.auth.createToken({ email: 'Reader@Example.com' });
    const res = await ask(bought.purchaseId, {}, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
  });

  it('answers 401 with neither a sign-in nor a token, and 401 for a bad sign-in', async () => {
    expect((await ask(bought.purchaseId, {})).status).toBe(401);
    expect((await ask(bought.purchaseId, {}, { authorization: 'Bearer not-a-token' })).status).toBe(401);
  });

  it("answers 404 for an unknown purchase and 403 for someone else's", async () => {
    expect((await ask(randomUUID(), { token: bought.token })).status).toBe(404);
    expect((await ask(bought.purchaseId, { token: randomUUID() })).status).toBe(403);
    const stranger = await shop.admin.auth.createToken({ email: 'stranger@example.com' });
    expect((await ask(bought.purchaseId, {}, { authorization: `Bearer ${stranger}` })).status).toBe(403);
  });

  it('answers 410 once the purchase is refunded, also for a URL issued before', async () => {
    const other = await buyGuide('refunded-reader@example.com');
    const { url } = await (await ask(other.purchaseId, { token: other.token })).json();
    const pi = (await shop.stripe.checkout.sessions.retrieve(other.sessionId)).payment_intent as string;
    await shop.stripe.refunds.create({ payment_intent: pi });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await ask(other.purchaseId, { token: other.token })).status).toBe(410);
    expect((await fetch(`${shop.api}${url}`)).status).toBe(410);
  });

  it('refuses tampered (403) and expired (410) file URLs', async () => {
    const { url } = await (await ask(bought.purchaseId, { token: bought.token })).json();
    expect((await fetch(`${shop.api}${url.replace(/sig=[^&]+/, 'sig=AAAA')}`)).status).toBe(403);
    const old = signedPath(
      { kind: 'download', id: bought.purchaseId, disposition: 'attachment' },
      Date.now() - 3600_000,
    );
    expect((await fetch(`${shop.api}${old}`)).status).toBe(410);
  });
});

describe('downloadFile', () => {
  const paid = { id: 'p', token: 't', status: 'paid', productId: 'x' };
  const product =
    (file: string, withdrawn = false) =>
    () => ({
      id: 'x',
      kind: 'download' as const,
      title: 'X',
      description: 'x',
      price: { amount: 1, currency: 'usd' },
      file,
      withdrawn,
    });

  it('answers 410 for a product no longer sold (unknown or withdrawn)', () => {
    expect(() => downloadFile({ ...paid, productId: 'gone' })).toThrow(expect.objectContaining({ status: 410 }));
    expect(() => downloadFile(paid, { lookup: product('wallpaper-field-guide.pdf', true) })).toThrow(
      expect.objectContaining({ status: 410 }),
    );
  });

  it('answers 400 when the asset path would leave private/products', () => {
    for (const file of ['../../package.json', '../wallpapers/dune.png', '/etc/passwd']) {
      expect(() => downloadFile(paid, { lookup: product(file) })).toThrow(expect.objectContaining({ status: 400 }));
    }
  });

  it('answers 500 when the file is missing, and resolves a good one', () => {
    expect(() => downloadFile(paid, { lookup: product('not-there.pdf') })).toThrow(
      expect.objectContaining({ status: 500 }),
    );
    expect(downloadFile(paid, { lookup: product('wallpaper-field-guide.pdf') })).toMatchObject({
      filename: 'wallpaper-field-guide.pdf',
      contentType: 'application/pdf',
    });
  });
});
