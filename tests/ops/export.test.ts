// Exports: purchases, ledger entries and the webhook log of a range as streamed CSV, from the
// operator function (POST with the operator's sign-in, never a token in a URL) and from the CLI,
// each recorded in the audit trail; amounts in minor units beside the currency, cells defused
// against spreadsheet formulas and quoted.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvResponse } from '../../api/_lib/ops/export-csv.ts';
import { dayOf } from '../../api/_lib/ops/zoned-time.ts';
import { inputFor, OPS_CLI, runCli } from '../../scripts/ops.ts';
import { parseCliArgs, UsageError } from '../../local/cli-args.ts';
import { csvRecords, parseCsv } from '../support/csv.ts';
import { buyInCurrency, withOperatorShop } from '../support/ops.ts';
import { bearer, buy, creditsCheckout, paymentIntentOf, signIn, type SignedIn } from '../support/shop.ts';
import type { ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack, operator: SignedIn;
withOperatorShop((s) => ({ shop, operator } = s));

const TZ = 'America/New_York';
const TOPIC = 'say "hi", =1+1';
let partial: string, eur: string, reader: SignedIn;

beforeAll(async () => {
  partial = (await buy(shop, 'field-guide', 'partial@example.com')).sessionId;
  await shop.stripe.refunds.create({ payment_intent: (await paymentIntentOf(shop, partial)).pi, amount: 120 });
  eur = await buyInCurrency(shop, 'wallpapers-warm', 'eur', 450, '=2+3@example.com');
  reader = await signIn(shop, 'reader@example.com');
  await creditsCheckout(shop, reader);
  await shop.stripeLocal.whenDeliveriesIdle();
  expect((await shop.post('/api/generate', { topic: TOPIC }, bearer(reader))).status).toBe(200);
  await fetch(`${shop.api}/api/stripe/webhook`, {
    method: 'POST',
    headers: { 'stripe-signature': 't=1,v1=x' },
    body: '{}',
  });
  await shop.stripeLocal.whenDeliveriesIdle();
}, 60_000);

// The range around today: a run that crosses midnight in the zone still holds everything.
const range = () => ({ from: dayOf(Date.now() - 86_400_000, TZ), to: dayOf(Date.now(), TZ), timeZone: TZ });

async function download(what: string, r = range()) {
  const res = await shop.post('/api/ops/export', { what, ...r }, bearer(operator));
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${what}-${r.from}-to-${r.to}.csv"`);
  return res.text();
}

describe('export', () => {
  it('streams purchases with a header row, minor units beside the currency, and defused cells', async () => {
    const text = await download('purchases');
    const { purchases } = await shop.admin.query({ purchases: {} });
    const rows = csvRecords(text);
    // A header row naming every column; the money columns beside their currency.
    const header = parseCsv(text)[0];
    expect(header.slice(0, 3)).toEqual(['createdAt', 'day', 'sessionId']);
    expect(header.indexOf('currency') - header.indexOf('amount')).toBe(1);
    expect(header).toEqual([
      'createdAt',
      'day',
      'sessionId',
      'paymentIntentId',
      'status',
      'email',
      'productId',
      'title',
      'amount',
      'currency',
      'refundedAmount',
      'disputedAmount',
      'openDisputes',
      'pendingKind',
      'unfulfilledReason',
    ]);
    expect(rows.map((r) => r.sessionId).sort()).toEqual(purchases.map((p) => p.sessionId).sort());
    const by = Object.fromEntries(rows.map((r) => [r.sessionId, r]));
    expect(by[partial]).toMatchObject({
      status: 'paid',
      amount: '300',
      currency: 'usd',
      refundedAmount: '120',
      title: 'The Wallpaper Field Guide',
    });
    // A buyer's email that a spreadsheet would run as a formula is kept as text.
    expect(by[eur]).toMatchObject({ email: "'=2+3@example.com", amount: '450', currency: 'eur', title: 'Warm trio' });
    expect(text).not.toMatch(/(^|,)=2\+3/m);
    const { opsActions } = await shop.admin.query({ opsActions: { $: { where: { action: 'export' } } } });
    expect(opsActions).toContainEqual(
      expect.objectContaining({
        operator: operator.email,
        target: `purchases ${range().from}..${range().to} (${TZ})`,
        ok: true,
      }),
    );
  });

  it('streams the ledger and the webhook log, quoting what must be quoted', async () => {
    const ledger = csvRecords(await download('ledger'));
    const { ledgerEntries, webhookEvents } = await shop.admin.query({ ledgerEntries: {}, webhookEvents: {} });
    expect(ledger.map((r) => [r.userId, r.amount, r.ref]).sort()).toEqual(
      ledgerEntries.map((e) => [e.userId, String(e.amount), e.ref]).sort(),
    );
    // Numbers stay numbers (a spend is -1); the reason with quotes and a comma reads back whole.
    expect(ledger.find((r) => r.amount === '-1')?.reason).toBe(`Haiku about "${TOPIC}"`);
    const log = csvRecords(await download('webhooks'));
    expect(log).toHaveLength(webhookEvents.length);
    expect(log.filter((r) => r.outcome === 'rejected')).toHaveLength(1);
  });

  it('gives only the header row for a range with nothing in it', async () => {
    const text = await download('purchases', { from: '2020-01-01', to: '2020-01-31', timeZone: TZ });
    expect(parseCsv(text)).toHaveLength(1);
  });

  it('takes the sign-in only from the Authorization header of a POST', async () => {
    for (const url of [`/api/ops/export?token=${operator.token}`, `/api/ops/export?access_token=${operator.token}`]) {
      expect((await fetch(`${shop.api}${url}`)).status).toBe(405);
      const res = await shop.post(url, { what: 'purchases', ...range() });
      expect(res.status).toBe(401);
    }
  });

  it('writes the same CSV from the CLI, recorded as the CLI user', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ops-export-')), 'purchases.csv');
    const r = range();
    const { text } = await runCli(
      ['export', '--what', 'purchases', '--from', r.from, '--to', r.to, '--tz', TZ, '--out', out],
      'cli:tester',
    );
    const { purchases } = await shop.admin.query({ purchases: {} });
    expect(text).toMatch(new RegExp(`^wrote ${purchases.length} rows to `));
    expect(readFileSync(out, 'utf8')).toBe(await download('purchases'));
    const { opsActions } = await shop.admin.query({ opsActions: { $: { where: { operator: 'cli:tester' } } } });
    expect(opsActions.map((a) => a.action)).toEqual(['export']);
  });
});

describe('the CLI', () => {
  it("names what an export is missing (exit 2), and counts days in --tz or this machine's zone", () => {
    for (const [argv, missing] of [
      [['export', '--from', '2026-01-01', '--to', '2026-01-02'], '--what'],
      [['export', '--what', 'ledger', '--to', '2026-01-02'], '--from'],
      [['export', '--what', 'ledger', '--from', '2026-01-01'], '--to'],
    ] as const)
      expect(() => inputFor(parseCliArgs(OPS_CLI, [...argv]))).toThrow(new UsageError(`export needs ${missing}`));
    const args = ['export', '--what', 'ledger', '--from', '2026-01-01', '--to', '2026-01-02'];
    expect(inputFor(parseCliArgs(OPS_CLI, [...args, '--tz', TZ])).input.timeZone).toBe(TZ);
    expect(inputFor(parseCliArgs(OPS_CLI, args)).input.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});

describe('csvResponse', () => {
  it('sends the header before the rows are read (a stream, not a buffer)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const res = csvResponse({
      filename: 'x.csv',
      lines: (async function* () {
        yield 'a,b\r\n';
        await held;
        yield '1,2\r\n';
      })(),
    });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('a,b\r\n');
    release();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('1,2\r\n');
    expect((await reader.read()).done).toBe(true);
  });
});

describe('csvCell', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=a,"b"', `"'=a,""b"""`],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
    [-5, '-5'],
    [0, '0'],
    [null, ''],
    [undefined, ''],
  ])('%j → %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
