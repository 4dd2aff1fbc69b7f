// `npm run doctor` against the local stack (the real Instant admin SDK, Stripe and Resend SDKs
// against the stand-ins): all ✔ as started, then each misconfiguration made on purpose gives
// exactly the ✘ that names it, with its fix; `--live-test` buys, unlocks, refunds and revokes.
import { execFile } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTS, type Product } from '../catalog/products.ts';
import { HANDLED_STRIPE_EVENTS } from '../api/_lib/fulfillment/handled-events.ts';
import { STRIPE_API_VERSION } from '../api/_lib/platform/stripe-client.ts';
import { loadProjectConfig } from '../local/instant/project-config.ts';
import { createLocalPaymentLinks } from '../local/dev/payment-links.ts';
import { startMailbox } from '../local/mailbox/index.ts';
import type { Check, Env } from '../scripts/doctor/check.ts';
import { DOCTOR_TAG, runLiveTest } from '../scripts/doctor/live-test.ts';
import { formatReport, runDoctor } from '../scripts/doctor/run.ts';
import { fakeKey } from './support/fake-keys.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';

const run = promisify(execFile);
let stack: ShopStack;
let links: Record<string, string>;
const reports: string[] = [];

beforeAll(async () => {
  stack = await startShopStack();
  links = await createLocalPaymentLinks(stack.stripeLocal.url, stack.stripeLocal.secretKey, stack.api);
}, 60_000);
afterAll(() => stack?.close());

/** The deployment's settings as the stack configured them, plus operators and payment links. */
const env = (over: Env = {}): Env => ({ ...process.env, OPERATOR_EMAILS: 'ops@example.com', ...links, ...over });

async function doctor(e: Env = env(), opts: Parameters<typeof runDoctor>[1] = {}): Promise<Check[]> {
  const checks = await runDoctor(e, opts);
  reports.push(formatReport(checks));
  return checks;
}

const failures = (checks: Check[]) => checks.filter((c) => c.status === 'fail');

/** Exactly one ✘, naming the problem, with a fix. */
function expectOnlyFailure(checks: Check[], label: RegExp, fix: RegExp) {
  const failed = failures(checks);
  expect(failed.map((c) => c.label)).toHaveLength(1);
  expect(failed[0].label).toMatch(label);
  expect(failed[0].fix).toMatch(fix);
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Replaces the stack's webhook endpoint (keeping the api's secret in step) for the test's duration. */
async function withEndpoint(params: Stripe.WebhookEndpointCreateParams | null, fn: () => Promise<void>) {
  const url = `${stack.api}/api/stripe/webhook`;
  const current = () =>
    stack.stripe.webhookEndpoints.list({ limit: 100 }).then((l) => l.data.filter((e) => e.url === url));
  for (const e of await current()) await stack.stripe.webhookEndpoints.del(e.id);
  if (params) await stack.stripe.webhookEndpoints.create(params);
  try {
    await fn();
  } finally {
    for (const e of await current()) await stack.stripe.webhookEndpoints.del(e.id);
    const restored = stack.stripeLocal.addWebhookEndpoint(url);
    process.env.STRIPE_WEBHOOK_SECRET = restored.secret;
  }
}

describe('npm run doctor against the local stack', () => {
  it('passes every check as the stack was started; ⚠ only for what cannot be verified from outside', async () => {
    const checks = await doctor();
    expect(failures(checks)).toEqual([]);
    for (const w of checks.filter((c) => c.status === 'warn'))
      expect(w.fix).toMatch(/^cannot verify from here: check /);
    const labels = checks.map((c) => c.label).join('\n');
    for (const part of [
      /Instant answers at .* with the admin token/,
      /schema on the server is that of instant\.schema\.ts/,
      /rules on the server are those of instant\.perms\.ts/,
      /all 8 wallpapers seeded/,
      /webhook endpoint .* is enabled/,
      /receives all 8 events/,
      /sends API version/,
      /payment link VITE_CHECKOUT_URL_PLAN_MEDIUM \(plink_\w+\) is active and sells "plan-medium"/,
      /Resend: instant-shop\.local \(MAIL_FROM\) is verified/,
    ]) {
      expect(labels).toMatch(part);
    }
  });

  it('the local server (from .data/local.json) counts as mailing magic codes; the signing secret stays a ⚠', async () => {
    const checks = await doctor(env(), { localInstant: true });
    expect(checks.filter((c) => c.status !== 'ok').map((c) => c.label)).toEqual([
      expect.stringMatching(/^Stripe webhook signing secret of we_\w+$/),
    ]);
    expect(checks.find((c) => c.status === 'warn')!.fix).toMatch(
      /^cannot verify from here: check STRIPE_WEBHOOK_SECRET is that endpoint's signing secret.*--live-test/,
    );
  });

  it('webhook endpoint deleted', async () => {
    await withEndpoint(null, async () => {
      expectOnlyFailure(
        await doctor(),
        /Stripe webhook endpoint http:\/\/127\.0\.0\.1:\d+\/api\/stripe\/webhook does not exist/,
        /npm run stripe:setup/,
      );
    });
  });

  it('webhook endpoint disabled', async () => {
    const { data } = await stack.stripe.webhookEndpoints.list({ limit: 100 });
    const id = data.find((e) => e.url === `${stack.api}/api/stripe/webhook`)!.id;
    await stack.stripe.webhookEndpoints.update(id, { disabled: true });
    try {
      expectOnlyFailure(await doctor(), new RegExp(`webhook endpoint .* \\(${id}\\) is disabled`), /stripe:setup/);
    } finally {
      await stack.stripe.webhookEndpoints.update(id, { disabled: false });
    }
  });

  it('webhook endpoint missing an event', async () => {
    const events = HANDLED_STRIPE_EVENTS.filter((e) => e !== 'charge.refunded');
    await withEndpoint(
      { url: `${stack.api}/api/stripe/webhook`, enabled_events: [...events], api_version: STRIPE_API_VERSION as never },
      async () => {
        expectOnlyFailure(
          await doctor(),
          /webhook endpoint we_\w+ is missing events: charge\.refunded$/,
          /npm run stripe:setup/,
        );
      },
    );
  });

  it('webhook endpoint with the wrong API version', async () => {
    await withEndpoint(
      { url: `${stack.api}/api/stripe/webhook`, enabled_events: ['*'], api_version: '2024-06-20' as never },
      async () => {
        expectOnlyFailure(
          await doctor(),
          /sends API version 2024-06-20, not the shop's \d{4}-\d\d-\d\d/,
          /stripe:setup` -- --recreate.*set STRIPE_WEBHOOK_SECRET/,
        );
      },
    );
  });

  it('perms on the server differing from the file', async () => {
    const { schema, rules } = await loadProjectConfig();
    // The full-resolution URL shown to everyone: a rule the file does not have.
    const wallpapers = (rules as Record<string, { fields: Record<string, string> }>).wallpapers;
    stack.instant.reload(schema, { ...rules, wallpapers: { ...wallpapers, fields: { fullResUrl: 'true' } } } as never);
    try {
      expectOnlyFailure(
        await doctor(),
        /rules on the server differ from instant\.perms\.ts: wallpapers\.fields\.fullResUrl: "true" on the server, ".*ruleParams\.tokens.*" in the file/,
        /npm run instant:push/,
      );
    } finally {
      stack.instant.reload(schema, rules);
    }
    expect(failures(await doctor())).toEqual([]);
  });

  it('a price missing (lookup key without an active price), and the same price once it exists', async () => {
    const poster = posterPriced({ lookupKey: 'doctor-poster' });
    const products = [...PRODUCTS, poster];
    expectOnlyFailure(
      await doctor(env(), { products }),
      /price of "poster": no active price has the lookup key "doctor-poster"/,
      /create .*lookup key "doctor-poster"/,
    );
    const product = await stack.stripe.products.create({ name: 'Poster', metadata: { type: 'poster' } });
    const price = await stack.stripe.prices.create({
      product: product.id,
      unit_amount: 900,
      currency: 'usd',
      lookup_key: 'doctor-poster',
    });
    const ok = await doctor(env(), { products });
    expect(failures(ok)).toEqual([]);
    expect(ok.map((c) => c.label)).toContain(`price of "poster": lookup key "doctor-poster" is ${price.id}, active`);
    await stack.stripe.prices.update(price.id, { active: false });
    expectOnlyFailure(await doctor(env(), { products }), /price of "poster": no active price/, /lookup key/);
  });

  it('a price id that does not exist in the account', async () => {
    const poster = posterPriced({ priceIds: { test: 'price_doesnotexist' } });
    expectOnlyFailure(
      await doctor(env(), { products: [...PRODUCTS, poster] }),
      /price of "poster": price_doesnotexist does not exist/,
      /catalog\/products\.ts/,
    );
  });

  it('a payment link deactivated', async () => {
    const link = (await stack.stripe.paymentLinks.list({ limit: 100 })).data.find(
      (l) => l.url === links.VITE_CHECKOUT_URL_PLAN_MEDIUM,
    )!;
    await stack.stripe.paymentLinks.update(link.id, { active: false });
    try {
      expectOnlyFailure(
        await doctor(),
        new RegExp(`payment link VITE_CHECKOUT_URL_PLAN_MEDIUM \\(${link.id}\\) is deactivated`),
        /reactivate it/,
      );
    } finally {
      await stack.stripe.paymentLinks.update(link.id, { active: true });
    }
  });

  it("a payment link whose product carries no purchase type, or another product's", async () => {
    const product = await stack.stripe.products.create({ name: 'Untyped' });
    const price = await stack.stripe.prices.create({ product: product.id, unit_amount: 100, currency: 'usd' });
    const untyped = await stack.stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }] });
    expectOnlyFailure(
      await doctor(env({ VITE_CHECKOUT_URL_CREDITS_LARGE: untyped.url })),
      /VITE_CHECKOUT_URL_CREDITS_LARGE .*carry no purchase type/,
      /metadata\.type/,
    );
    expect(
      failures(
        await doctor(
          env({
            VITE_CHECKOUT_URL_CREDITS_LARGE: untyped.url,
            STRIPE_PRODUCT_MAP: JSON.stringify({ [price.id]: 'credits-large' }),
          }),
        ),
      ),
    ).toEqual([]);
    expectOnlyFailure(
      await doctor(env({ VITE_CHECKOUT_URL_CREDITS_LARGE: links.VITE_CHECKOUT_URL_PLAN_MEDIUM })),
      /sells "plan-medium" .*not "credits-large"/,
      /metadata\.type/,
    );
    expectOnlyFailure(
      await doctor(env({ VITE_CHECKOUT_URL_CREDITS_LARGE: 'http://127.0.0.1:1/b/nope' })),
      /is not a payment link of this Stripe account/,
      /Payment Links/,
    );
  });

  it('a publishable key in STRIPE_SECRET_KEY', async () => {
    expectOnlyFailure(
      await doctor(env({ STRIPE_SECRET_KEY: fakeKey('pk_test') })),
      /STRIPE_SECRET_KEY holds a publishable key \(found pk_test_…\)/,
      /secret key, which starts with sk_/,
    );
  });

  it('a live key with test prices (STRIPE_PRICE_ENV), before Stripe is asked', async () => {
    const checks = checkModes(await doctor(env({ STRIPE_PRICE_ENV: 'live' })));
    expect(checks).toEqual([expect.stringMatching(/a test-mode key with STRIPE_PRICE_ENV=live/)]);
  });

  it('an unverified mail domain, and one not added to Resend', async () => {
    stack.mailbox.setDomain('shop.example', 'pending');
    expectOnlyFailure(
      await doctor(env({ MAIL_FROM: 'Shop <receipts@shop.example>' })),
      /shop\.example \(MAIL_FROM\) is not verified \(status pending\)/,
      /DNS records/,
    );
    expectOnlyFailure(
      await doctor(env({ MAIL_FROM: 'receipts@elsewhere.example' })),
      /elsewhere\.example \(MAIL_FROM\) is not a domain of this Resend account/,
      /add elsewhere\.example/,
    );
    stack.mailbox.setDomain('shop.example', 'verified');
    expect(failures(await doctor(env({ MAIL_FROM: 'Shop <receipts@shop.example>' })))).toEqual([]);
  });

  it('a Resend key that may only send is a ⚠ to check by hand, never ✘ nor a silent ✔', async () => {
    stack.mailbox.restrictKey(stack.mailbox.apiKey, true);
    try {
      const checks = await doctor();
      expect(failures(checks)).toEqual([]);
      const warn = checks.find((c) => c.status === 'warn' && /Resend/.test(c.label));
      expect(warn?.fix).toMatch(
        /^cannot verify from here: check https:\/\/resend\.com\/domains shows instant-shop\.local as Verified/,
      );
      expect(checks.some((c) => c.status === 'ok' && /is verified/.test(c.label))).toBe(false);
    } finally {
      stack.mailbox.restrictKey(stack.mailbox.apiKey, false);
    }
  });

  it('a malformed Resend key, and one Resend refuses', async () => {
    expectOnlyFailure(
      await doctor(env({ RESEND_API_KEY: 'not-a-resend-key' })),
      /RESEND_API_KEY is not a Resend key \(found not…\)/,
      /start with re_/,
    );
    const strict = await startMailbox({ apiKey: 're_the_right_one', strictKey: true });
    try {
      expectOnlyFailure(
        await doctor(env({ RESEND_BASE_URL: strict.url, RESEND_API_KEY: 're_a_wrong_one' })),
        /Resend refused RESEND_API_KEY \(re_…\)/,
        /resend\.com\/api-keys/,
      );
    } finally {
      await strict.close();
    }
  });

  it('APP_URL unset: one ✘ (the webhook endpoint follows from it)', async () => {
    expectOnlyFailure(await doctor(env({ APP_URL: '' })), /^APP_URL not set$/, /shop's public URL/);
  });

  it('empty OPERATOR_EMAILS', async () => {
    expectOnlyFailure(await doctor(env({ OPERATOR_EMAILS: '' })), /OPERATOR_EMAILS is empty/, /set OPERATOR_EMAILS/);
    expectOnlyFailure(await doctor(env({ OPERATOR_EMAILS: ' , ' })), /OPERATOR_EMAILS is empty/, /set OPERATOR_EMAILS/);
  });

  it('the schema on the server differing from the file', async () => {
    const { schema, rules } = await loadProjectConfig();
    const changed = structuredClone(schema);
    changed.entities.purchases.attrs.token.config = { unique: true, indexed: true };
    delete (changed.entities.haikus.attrs as Record<string, unknown>).topic;
    stack.instant.reload(changed, rules);
    try {
      expectOnlyFailure(
        await doctor(),
        new RegExp(
          'schema on the server differs from instant\\.schema\\.ts: .*' +
            'purchases\\.token is string unique indexed.* on the server, string indexed.* in the file.*haikus\\.topic is missing on the server',
        ),
        /instant:push/,
      );
    } finally {
      stack.instant.reload(schema, rules);
    }
  });

  it('production settings: https public APP_URL, CRON_SECRET on Vercel, no stand-ins, a sender', async () => {
    const checks = await doctor(env({ VERCEL: '1', VERCEL_ENV: 'production', MAIL_FROM: '' }));
    const failed = failures(checks).map((c) => c.label);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/INSTANT_API_URI must be https/),
        expect.stringMatching(/APP_URL must be https/),
        expect.stringMatching(/STRIPE_API_BASE is set in production/),
        expect.stringMatching(/RESEND_BASE_URL is set in production/),
        expect.stringMatching(/CRON_SECRET not set/),
        expect.stringMatching(/MAIL_FROM not set/),
      ]),
    );
    const cron = await doctor(env({ VERCEL: '1', CRON_SECRET: 'a-long-enough-random-secret' }));
    expect(cron.map((c) => c.label)).toContain('CRON_SECRET set for Vercel Cron');
    expect(failures(cron)).toEqual([]);
  });

  it('a service that does not answer is a ✘ with the address tried, not a crash', async () => {
    const port = await closedPort();
    const down = `http://127.0.0.1:${port}`;
    const instant = await doctor(env({ INSTANT_API_URI: down }));
    expectOnlyFailure(instant, new RegExp(`Instant did not answer at ${down} \\(ECONNREFUSED\\)`), /INSTANT_API_URI/);
    const stripe = await doctor(env({ STRIPE_API_BASE: down }));
    expectOnlyFailure(stripe, new RegExp(`Stripe did not answer at ${down}`), /STRIPE_API_BASE/);
    const resend = await doctor(env({ RESEND_BASE_URL: down }));
    expectOnlyFailure(resend, new RegExp(`Resend did not answer at ${down}`), /RESEND_BASE_URL/);
    const token = await doctor(env({ INSTANT_ADMIN_TOKEN: '00000000-0000-4000-8000-000000000000' }));
    expectOnlyFailure(token, /Instant refused the admin token/, /INSTANT_ADMIN_TOKEN/);
    // A service that accepts connections and never answers: a ✘ once DOCTOR_TIMEOUT_MS passes.
    const hung = createHttpServer(() => {});
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    try {
      const at = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
      const checks = await doctor(
        env({ INSTANT_API_URI: at, STRIPE_API_BASE: at, RESEND_BASE_URL: at, DOCTOR_TIMEOUT_MS: '300' }),
      );
      expect(failures(checks).map((c) => c.label)).toEqual([
        `Instant did not answer at ${at} (no answer within 300 ms)`,
        expect.stringMatching(new RegExp(`^Stripe did not answer at ${at}`)),
        expect.stringMatching(new RegExp(`^Resend did not answer at ${at}`)),
      ]);
    } finally {
      hung.closeAllConnections();
      await new Promise((r) => hung.close(r));
    }
    // Something else answers there (a web page): said so, not a crash.
    const page = createHttpServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'),
    );
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', () => r()));
    try {
      const at = `http://127.0.0.1:${(page.address() as { port: number }).port}`;
      expectOnlyFailure(
        await doctor(env({ INSTANT_API_URI: at })),
        new RegExp(`Instant at ${at} did not answer the admin query as an Instant server does`),
        /INSTANT_API_URI/,
      );
    } finally {
      await new Promise((r) => page.close(r));
    }
  });

  it('--live-test: buys the cheapest product, sees it unlocked, refunds it and sees access revoked; records stay, tagged', async () => {
    const checks = await doctor(env(), { liveTest: true });
    expect(failures(checks)).toEqual([]);
    // The delivery proves the signing secret, so it is no longer a ⚠.
    expect(checks.filter((c) => c.status === 'warn' && /signing secret/.test(c.label))).toEqual([]);
    const live = checks.filter((c) => c.label.startsWith('live test:')).map((c) => c.label);
    expect(live).toEqual([
      expect.stringMatching(/checkout for "field-guide" opened .* \(cs_test_\w+\)/),
      expect.stringMatching(/checkout paid \(by the stand-in's test control\)/),
      expect.stringMatching(/webhook delivered and the purchase written as paid/),
      expect.stringMatching(/content unlocked for the purchase's token/),
      expect.stringMatching(/refunded, and the purchase written as refunded \(re_\w+\)/),
      expect.stringMatching(/access revoked after the refund \(the shop answers 410\)/),
    ]);
    const sessionId = /\((cs_test_\w+)\)/.exec(live[0])![1];
    const session = await stack.stripe.checkout.sessions.retrieve(sessionId);
    expect(session.metadata).toMatchObject({ ...DOCTOR_TAG, productId: 'field-guide' });
    const refunds = await stack.stripe.refunds.list({ payment_intent: session.payment_intent as string });
    expect(refunds.data.map((r) => r.metadata)).toEqual([DOCTOR_TAG]);
    const { purchases } = await stack.admin.query({ purchases: { $: { where: { sessionId } } } });
    expect(purchases.map((p) => p.status)).toEqual(['refunded']);
  });

  it('--live-test on real Stripe prints the checkout URL and waits for a person to pay it', async () => {
    // As on real Stripe (no STRIPE_API_BASE): the doctor cannot pay; a "person" pays what it prints.
    const { STRIPE_API_BASE: _base, ...real } = env();
    const printed: string[] = [];
    const checks = await runLiveTest(real, {
      stripe: stack.stripe,
      say: (line) => {
        printed.push(line);
        const id = /cs_test_\w+/.exec(line)![0];
        void stack.pay(id, { email: 'person@example.com', card: '4242424242424242' });
      },
    });
    expect(printed.join('\n')).toMatch(
      /Pay this test checkout with the card 4242 4242 4242 4242[\s\S]*http:\/\/127\.0\.0\.1:\d+\/\S*cs_test_/,
    );
    expect(failures(checks)).toEqual([]);
    expect(checks.map((c) => c.label)).toContain('live test: checkout paid (by you)');
    expect(checks.at(-1)!.label).toMatch(/access revoked after the refund/);
  });

  it('--live-test refuses live keys and does not run over failing checks', async () => {
    const refused = await doctor(env({ OPERATOR_EMAILS: '' }), { liveTest: true });
    expect(failures(refused).map((c) => c.label)).toEqual([
      expect.stringMatching(/OPERATOR_EMAILS/),
      'live test not run: fix the ✘ above first',
    ]);
    const live = await runLiveTest(env({ STRIPE_SECRET_KEY: fakeKey('sk_live') }), { stripe: stack.stripe });
    expect(live).toEqual([
      expect.objectContaining({ status: 'fail', label: expect.stringMatching(/runs only with test-mode keys/) }),
    ]);
  });

  it('prints no secret: at most a key prefix', () => {
    const text = reports.join('\n');
    expect(reports.length).toBeGreaterThan(10);
    for (const secret of [
      stack.instant.adminToken,
      process.env.STRIPE_WEBHOOK_SECRET!,
      stack.stripeLocal.secretKey,
      stack.mailbox.apiKey,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

function checkModes(checks: Check[]): string[] {
  return failures(checks).map((c) => c.label);
}

describe('the doctor CLI', () => {
  const cli = (args: string[], extra: Env = {}) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/doctor.ts', ...args], {
      env: { ...env(), ...extra } as NodeJS.ProcessEnv,
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('--help prints the usage and exits 0; an unknown flag exits 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: npm run doctor \[-- --live-test\]/);
    const bad = await cli(['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'[\s\S]*usage: npm run doctor/);
  }, 60_000);

  it('runs for real: exits 0 with ✔ lines on the stack, 1 with the ✘ and its fix on a misconfiguration', async () => {
    const good = await cli([]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^✔ Instant answers at/m);
    expect(good.stdout).toMatch(/All checks passed/);
    const bad = await cli([], { OPERATOR_EMAILS: '' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^✘ OPERATOR_EMAILS is empty: nobody can use \/ops\n {4}→ set OPERATOR_EMAILS/m);
  }, 60_000);
});

/** A download the catalog does not have, priced as given, to test the price checks. */
function posterPriced(price: Product['price']): Product {
  return { id: 'poster', kind: 'download', title: 'Poster', description: 'A poster.', file: 'poster.pdf', price };
}
