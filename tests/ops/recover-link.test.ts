// An operator recovering a buyer whom Instant's magic-code limits lock out: `recover` mails a
// one-use signed link (through the shop's mailer), the buyer's browser redeems it for an Instant
// refresh token and signs in with it. The guess limit stays as it is; a stranger gets nothing from
// a forged, expired or reused link (raw requests).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOpsActions } from '../../api/_lib/ops/audit.ts';
import { runCli } from '../../scripts/ops.ts';
import { makeRecoveryLink, RECOVERY_LINK_TTL_SECONDS } from '../../api/_lib/ops/recovery-link.ts';
import schema from '../../instant.schema.ts';
import { clientFor, nextResult } from '../support/instant-clients.ts';
import { ops, startShopWithOperator } from '../support/ops.ts';
import { guestCheckout, signIn, type SignedIn } from '../support/shop.ts';
import { withReceiptsFailing, type ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack;
let operator: SignedIn;
const clients: ReturnType<typeof clientFor>[] = [];

beforeAll(async () => {
  ({ shop, operator } = await startShopWithOperator());
});
afterAll(async () => {
  clients.forEach((c) => c.shutdown());
  await shop.close();
});

const client = () => {
  const db = clientFor(shop.instant, schema);
  clients.push(db);
  return db;
};

const redeem = (body: unknown) =>
  fetch(`${shop.api}/api/ops/recover`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The operator's recover (from /ops, or the CLI), and the link it mailed, as the fragment's fields. */
async function mailedLink(typedEmail: string, via: 'page' | 'cli' = 'page') {
  const to = typedEmail.trim().toLowerCase();
  const before = linkMails(to).length;
  const sent =
    via === 'page'
      ? await ops(shop, operator, 'recover', { email: typedEmail })
      : (await runCli(['recover', typedEmail], 'cli:tester')).result;
  expect(sent).toMatchObject({ sent: true, to, expiresAt: expect.any(String) });
  const mails = linkMails(to);
  expect(mails).toHaveLength(before + 1);
  const url = new URL(/(http\S+\/recover#\S+)/.exec(mails.at(-1)!.text ?? '')![1]);
  expect(url.origin).toBe(shop.api);
  expect(url.search).toBe(''); // everything rides in the fragment, which browsers never send
  const f = new URLSearchParams(url.hash.slice(1));
  return { email: f.get('email')!, exp: Number(f.get('exp')), nonce: f.get('nonce')!, sig: f.get('sig')! };
}

const linkMails = (to: string) => shop.mailbox.messages({ to }).filter((m) => m.subject === 'Recover your purchases');

async function lockOut(email: string) {
  const db = client();
  for (let i = 0; i < 20; i++) {
    await expect(db.auth.signInWithMagicCode({ email, code: '000000' })).rejects.toMatchObject({ status: 400 });
  }
  // Now even the right code is refused: the buyer is locked out for the hour.
  await shop.admin.auth.sendMagicCode(email);
  const code = [...shop.mails].reverse().find((m) => m.to === email)!.code;
  await expect(db.auth.signInWithMagicCode({ email, code })).rejects.toMatchObject({
    status: 429,
    body: { type: 'rate-limited' },
  });
}

describe('recover link', () => {
  it('signs in a buyer locked out by 20 wrong guesses, who then sees their purchases; the email is normalized', async () => {
    const email = `locked.${randomUUID().slice(0, 6)}@example.com`;
    const { token } = await guestCheckout(shop, 'wallpapers-warm', email.toUpperCase());
    await shop.stripeLocal.whenDeliveriesIdle();
    await lockOut(email);

    const link = await mailedLink(`  ${email.toUpperCase()} `);
    expect(link.email).toBe(email);
    const res = await redeem(link);
    expect(res.status).toBe(200);
    const { token: refreshToken, email: signedAs } = await res.json();
    expect(signedAs).toBe(email);

    const db = client();
    const { user } = await db.auth.signInWithToken(refreshToken);
    expect(user.email).toBe(email);
    const r = await nextResult(db, { purchases: {} }, (x) => Boolean(x.data));
    expect((r.data!.purchases as any[]).map((p) => p.token)).toEqual([token]);

    // Both ends are in the audit trail; the guess limit still holds for codes.
    const actions = await listOpsActions({ limit: 20 });
    expect(actions.find((a) => a.action === 'recover' && a.target === email)).toMatchObject({
      operator: 'ops@example.com',
      ok: true,
    });
    expect(actions.find((a) => a.action === 'recover-link' && a.target === email)).toMatchObject({
      operator: `link:${email}`,
      ok: true,
      detail: 'signed in',
    });
    await expect(client().auth.signInWithMagicCode({ email, code: '123456' })).rejects.toMatchObject({ status: 429 });
  });

  it('is mailed by `npm run ops -- recover` too, and audited as the CLI user', async () => {
    const email = `cli.${randomUUID().slice(0, 6)}@example.com`;
    const link = await mailedLink(email.toUpperCase(), 'cli');
    expect(link.email).toBe(email);
    expect((await redeem(link)).status).toBe(200);
    const actions = await listOpsActions({ limit: 20 });
    expect(actions.find((a) => a.action === 'recover' && a.target === email)).toMatchObject({
      operator: 'cli:tester',
      ok: true,
    });
  });

  it('tells the operator when the link could not be mailed, and records the failure', async () => {
    const email = `unmailable.${randomUUID().slice(0, 6)}@example.com`;
    const res = await withReceiptsFailing(() =>
      shop.post('/api/ops/recover', { email }, { authorization: `Bearer ${operator.token}` }),
    );
    expect(res.status).toBe(502);
    expect((await res.json()).error).toMatch(/could not be mailed/);
    expect(linkMails(email)).toEqual([]);
    const actions = await listOpsActions({ limit: 20 });
    expect(actions.find((a) => a.action === 'recover' && a.target === email)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/could not be mailed/),
    });
  });

  it('refuses a forged link, whatever part is changed, and signs nobody in', async () => {
    const victim = `victim.${randomUUID().slice(0, 6)}@example.com`;
    const link = await mailedLink(victim);
    const forgeries = [
      { ...link, email: 'attacker@example.com' },
      { ...link, exp: link.exp + 3600 },
      { ...link, nonce: randomUUID() },
      { ...link, sig: `${link.sig.slice(0, -1)}${link.sig.endsWith('A') ? 'B' : 'A'}` },
      { ...link, sig: 'A'.repeat(link.sig.length) },
      { ...link, sig: link.sig.slice(0, 10) },
    ];
    for (const forged of forgeries) {
      const res = await redeem(forged);
      expect(res.status, JSON.stringify(forged)).toBe(403);
      expect((await res.json()).error).toMatch(/not valid/);
    }
    const { $users } = await shop.admin.query({ $users: { $: { where: { email: 'attacker@example.com' } } } });
    expect($users).toEqual([]);
    // The genuine link still works once after all that.
    expect((await redeem(link)).status).toBe(200);
  });

  it('refuses an expired link', async () => {
    const email = `late.${randomUUID().slice(0, 6)}@example.com`;
    // Signed with the shop's key, as a link mailed just over RECOVERY_LINK_TTL_SECONDS ago was.
    const old = makeRecoveryLink(email, Date.now() - (RECOVERY_LINK_TTL_SECONDS + 5) * 1000);
    const res = await redeem(old);
    expect(res.status).toBe(410);
    expect((await res.json()).error).toMatch(/expired/);
    expect((await shop.admin.query({ recoveryClaims: { $: { where: { email } } } })).recoveryClaims).toEqual([]);
  });

  it('works exactly once, even when redeemed many times at once', async () => {
    const email = `once.${randomUUID().slice(0, 6)}@example.com`;
    const link = await mailedLink(email);
    const answers = await Promise.all(Array.from({ length: 6 }, () => redeem(link)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410, 410, 410, 410]);
    const again = await redeem(link);
    expect(again.status).toBe(410);
    expect((await again.json()).error).toMatch(/already been used/);
    expect((await shop.admin.query({ recoveryClaims: { $: { where: { email } } } })).recoveryClaims).toHaveLength(1);
    const actions = (await listOpsActions({ limit: 50 })).filter(
      (a) => a.action === 'recover-link' && a.target === email,
    );
    expect(actions.filter((a) => a.ok)).toHaveLength(1);
    expect(actions.filter((a) => !a.ok)).toHaveLength(6);
  });

  it('answers bad bodies with 400 naming the field', async () => {
    const link = makeRecoveryLink('someone@example.com');
    for (const [body, field] of [
      [{ ...link, sig: undefined }, 'sig'],
      [{ ...link, exp: String(link.exp) }, 'exp'],
      [{ ...link, nonce: 'x' }, 'nonce'],
      [{ ...link, email: 'nope' }, 'email'],
    ] as const) {
      const res = await redeem(body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toContain(field);
    }
    expect((await redeem('not json')).status).toBe(400);
  });

  it('keeps claims away from every client', async () => {
    const link = await mailedLink(`claims.${randomUUID().slice(0, 6)}@example.com`);
    expect((await redeem(link)).status).toBe(200);
    const buyer = await signIn(shop);
    for (const as of [{ token: buyer.token }, { token: operator.token }, { guest: true as const }]) {
      const db = shop.admin.asUser(as);
      expect((await db.query({ recoveryClaims: {} })).recoveryClaims, JSON.stringify(as)).toEqual([]);
      // Creating a link's claim would burn someone's link before they use it.
      await expect(
        db.transact(
          db.tx.recoveryClaims[randomUUID()].create({
            email: 'x@example.com',
            expiresAt: Date.now(),
            redeemedAt: Date.now(),
          }),
        ),
      ).rejects.toMatchObject({ body: { type: expect.stringMatching(/permission|validation/) } });
    }
  });
});
