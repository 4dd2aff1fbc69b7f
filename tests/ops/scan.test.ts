// Paging by time then id (scan.ts), which the overview, attention lists and exports read through:
// rows sharing one instant are neither skipped nor repeated across pages, in either direction,
// a range's bounds hold, and a cap says when it cut the read short.
import { id } from '@instantdb/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAll, scanPage, scanPages, type ScanOptions } from '../../api/_lib/platform/scan.ts';
import { startShopStack, type ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack;
const AT = Date.parse('2026-03-01T12:00:00Z');
// 7 receipts at one instant, 2 before, 2 after, and one outside the range.
const times = [AT - 2, AT - 1, ...Array(7).fill(AT), AT + 1, AT + 2, AT + 10_000];
const ids = times.map(() => id());

beforeAll(async () => {
  shop = await startShopStack();
  await shop.admin.transact(
    times.map((createdAt, i) =>
      shop.admin.tx.receipts[ids[i]].create({ sessionId: `cs_scan_${i}`, status: 'scan-test', createdAt }),
    ),
  );
});
afterAll(() => shop.close());

const scan = (o: Partial<ScanOptions> = {}): ScanOptions => ({
  ns: 'receipts',
  field: 'createdAt',
  where: { status: 'scan-test' },
  from: AT - 2,
  to: AT + 3,
  pageSize: 2,
  ...o,
});

describe('scan', () => {
  for (const direction of ['asc', 'desc'] as const) {
    it(`reads every row of the range once, ties included, a small page at a time (${direction})`, async () => {
      const seen: string[] = [];
      let pages = 0;
      for await (const page of scanPages(scan({ direction }))) {
        pages++;
        seen.push(...page.map((r) => String(r.sessionId)));
      }
      const expected = times
        .map((t, i) => ({ t, i }))
        .filter(({ t }) => t < AT + 3)
        .sort((a, b) => (a.t - b.t || (ids[a.i] < ids[b.i] ? -1 : 1)) * (direction === 'asc' ? 1 : -1))
        .map(({ i }) => `cs_scan_${i}`);
      expect(seen).toEqual(expected);
      expect(pages).toBe(6);
    });
  }

  it('stops at a cap and says so; a read that fits says it is whole', async () => {
    expect(await scanAll(scan(), 5)).toMatchObject({ truncated: true, rows: expect.objectContaining({ length: 5 }) });
    expect(await scanAll(scan(), 11)).toMatchObject({
      truncated: false,
      rows: expect.objectContaining({ length: 11 }),
    });
    expect((await scanPage(scan({ pageSize: 11 }), null)).next).toBeNull();
  });
});
