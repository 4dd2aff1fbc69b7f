import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';
import type { LocalAccount } from './account.ts';
import {
  applyPromotionCode,
  authenticate,
  pay,
  removePromotionCode,
  type PayInput,
  type PayResult,
} from './checkout-flow.ts';
import { escapeHtml } from '../escape-html.ts';
import { readBody, redirect, sendHtml } from './http-io.ts';
import { formatAmount } from './money.ts';
import { sessionExtras } from './session-extras.ts';
import { sessionForPaymentLink } from './resources/payment-links.ts';

/** Page chrome in the plain look of Stripe's test-mode Checkout. */
function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body{margin:0;font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1f36;background:#f6f9fc}
  .bar{background:#ffde92;color:#975a16;font-size:12px;font-weight:600;text-align:center;padding:4px;letter-spacing:.04em}
  main{max-width:920px;margin:40px auto;display:flex;gap:48px;flex-wrap:wrap;padding:0 20px}
  section{flex:1 1 360px}
  h1{font-size:16px;color:#697386;font-weight:500;margin:0 0 4px}
  .total{font-size:36px;font-weight:600;margin:0 0 24px}
  .item{display:flex;justify-content:space-between;padding:8px 0;border-bottom:1px solid #e3e8ee}
  .muted{color:#697386;font-size:13px}
  label{display:block;font-size:13px;color:#3c4257;margin:14px 0 6px}
  input[type=text],input[type=email]{width:100%;box-sizing:border-box;padding:10px 12px;border:1px solid #e0e6eb;border-radius:6px;font-size:15px;background:#fff}
  fieldset{border:1px solid #e0e6eb;border-radius:6px;padding:8px 12px;margin:14px 0 0;background:#fff}
  .pay{width:100%;margin-top:20px;padding:12px;border:0;border-radius:6px;background:#0074d4;color:#fff;font-size:16px;font-weight:600;cursor:pointer}
  .secondary{padding:9px 14px;border:1px solid #e0e6eb;border-radius:6px;background:#fff;cursor:pointer}
  .error{background:#fde8e8;color:#c0392b;border-radius:6px;padding:10px 12px;margin-top:14px}
  a{color:#0074d4}
</style></head>
<body><div class="bar">TEST MODE · local Stripe stand-in</div>${body}</body></html>`;
}

function messagePage(title: string, text: string, link?: { href: string; label: string }): string {
  return layout(
    title,
    `<main><section><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${
      link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : ''
    }</section></main>`,
  );
}

interface FormState {
  error?: string;
  values?: Record<string, string>;
}

export function renderCheckoutPage(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  state: FormState = {},
): string {
  const extras = sessionExtras(account, session.id);
  const currency = session.currency ?? 'usd';
  const v = state.values ?? {};
  const items = extras.lineItems
    .map(
      (li) =>
        `<div class="item"><span>${escapeHtml(li.description ?? 'Item')}${li.quantity && li.quantity > 1 ? ` × ${li.quantity}` : ''}</span><span>${formatAmount(li.amount_subtotal, currency)}</span></div>`,
    )
    .join('');
  const discount = session.total_details?.amount_discount ?? 0;
  const lockedEmail = session.customer_email;
  const email = lockedEmail ?? v.email ?? extras.prefilledEmail ?? '';
  const free = session.amount_total === 0;
  const promo = session.allow_promotion_codes
    ? discount > 0
      ? `<div class="item"><span>Discount</span><span>−${formatAmount(discount, currency)}</span></div>
         <form method="post"><input type="hidden" name="action" value="remove_promo"><button class="secondary" type="submit">Remove code</button></form>`
      : `<form method="post"><label for="promotion_code">Promotion code</label>
         <input type="text" id="promotion_code" name="promotion_code" value="${escapeHtml(v.promotion_code ?? '')}" autocomplete="off">
         <input type="hidden" name="action" value="apply_promo"><p><button class="secondary" type="submit">Apply</button></p></form>`
    : discount > 0
      ? `<div class="item"><span>Discount</span><span>−${formatAmount(discount, currency)}</span></div>`
      : '';
  const method = v.method ?? 'card';
  const paymentFields = free
    ? `<p class="muted">No payment is required for this order.</p>`
    : `<fieldset><legend class="muted">Payment method</legend>
        <label><input type="radio" name="method" value="card" ${method === 'card' ? 'checked' : ''}> Card</label>
        <label><input type="radio" name="method" value="delayed_success" ${method === 'delayed_success' ? 'checked' : ''}> Bank debit (delayed; succeeds later)</label>
        <label><input type="radio" name="method" value="delayed_failure" ${method === 'delayed_failure' ? 'checked' : ''}> Bank debit (delayed; fails later)</label>
      </fieldset>
      <label for="card">Card number</label>
      <input type="text" id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" value="${escapeHtml(v.card ?? '')}">
      <p class="muted">Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 is declined · 4000 0000 0000 3220 asks for authentication. Any future expiry and CVC.</p>`;
  const back = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">← Back</a></p>` : '';
  const body = `<main>
  <section>${back}
    <h1>Pay</h1><p class="total" data-testid="total">${formatAmount(session.amount_total ?? 0, currency)}</p>
    ${items}
    ${promo}
  </section>
  <section>
    <form method="post" data-testid="checkout-form">
      <input type="hidden" name="action" value="pay">
      <label for="email">Email</label>
      <input type="email" id="email" name="email" autocomplete="email" value="${escapeHtml(email)}" ${lockedEmail ? 'readonly' : ''}>
      <label for="name">Name</label>
      <input type="text" id="name" name="name" autocomplete="name" value="${escapeHtml(v.name ?? '')}">
      ${paymentFields}
      ${state.error ? `<div class="error" role="alert">${escapeHtml(state.error)}</div>` : ''}
      <button class="pay" type="submit">${free ? 'Complete order' : `Pay ${formatAmount(session.amount_total ?? 0, currency)}`}</button>
    </form>
  </section>
</main>`;
  return layout('Checkout', body);
}

function renderAuthenticationPage(session: Stripe.Checkout.Session): string {
  return layout(
    '3D Secure test payment',
    `<main><section><h1>3D Secure 2 test page</h1>
     <p>This is a test authentication for ${formatAmount(session.amount_total ?? 0, session.currency ?? 'usd')}. Complete or fail it.</p>
     <form method="post"><input type="hidden" name="outcome" value="approve"><button class="pay" type="submit">Complete authentication</button></form>
     <form method="post"><input type="hidden" name="outcome" value="fail"><button class="secondary" style="margin-top:12px;width:100%" type="submit">Fail authentication</button></form>
     </section></main>`,
  );
}

/** Maps the page's radio buttons onto the shared payment input. */
export function formToPayInput(form: URLSearchParams): PayInput {
  const method = form.get('method') ?? 'card';
  return {
    email: form.get('email') ?? undefined,
    name: form.get('name') ?? undefined,
    card: form.get('card') ?? undefined,
    method: method.startsWith('delayed') ? 'delayed' : 'card',
    delayed_outcome: method === 'delayed_failure' ? 'failed' : 'succeeded',
    promotion_code: form.get('promotion_code') ?? undefined,
  };
}

function respondToResult(
  res: ServerResponse,
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  result: PayResult,
  values: Record<string, string>,
): void {
  if (result.status === 'declined' || result.status === 'invalid') {
    // The session stays open; the buyer sees why, as on Stripe's page.
    sendHtml(
      res,
      result.status === 'declined' ? 402 : 400,
      renderCheckoutPage(account, session, { error: result.error.message, values }),
    );
    return;
  }
  redirect(res, result.redirect);
}

/** Serves `/c/pay/…`, `/c/complete/…` and `/b/…`; returns false for other paths. */
export async function handleHostedPage(
  account: LocalAccount,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const pay_ = /^\/c\/pay\/([^/]+)(\/authenticate)?$/.exec(url.pathname);
  const complete = /^\/c\/complete\/([^/]+)$/.exec(url.pathname);
  const link = /^\/b\/([^/]+)$/.exec(url.pathname);

  if (link && req.method === 'GET') {
    const pl = account.store.get<Stripe.PaymentLink>('payment_link', decodeURIComponent(link[1]));
    if (!pl) sendHtml(res, 404, messagePage('Not found', 'This payment link does not exist.'));
    else if (!pl.active) sendHtml(res, 410, messagePage('Link inactive', 'This payment link is no longer active.'));
    else redirect(res, sessionForPaymentLink(account, pl, url.searchParams).url!);
    return true;
  }

  if (complete && req.method === 'GET') {
    const session = account.store.get<Stripe.Checkout.Session>('checkout.session', decodeURIComponent(complete[1]));
    const link = session?.payment_link
      ? account.store.get<Stripe.PaymentLink>('payment_link', String(session.payment_link))
      : undefined;
    const message = link?.after_completion.hosted_confirmation?.custom_message ?? 'Thanks for your payment.';
    sendHtml(
      res,
      session ? 200 : 404,
      messagePage(session ? 'Payment complete' : 'Not found', session ? message : 'Unknown session.'),
    );
    return true;
  }

  if (!pay_) return false;
  const session = account.store.get<Stripe.Checkout.Session>('checkout.session', decodeURIComponent(pay_[1]));
  if (!session) {
    sendHtml(res, 404, messagePage('Not found', 'This Checkout Session does not exist.'));
    return true;
  }
  const isAuth = Boolean(pay_[2]);

  if (req.method === 'GET') {
    if (session.status === 'expired')
      sendHtml(res, 410, messagePage('Session expired', 'This Checkout Session has expired.'));
    else if (session.status === 'complete') {
      const success = session.success_url?.replaceAll('{CHECKOUT_SESSION_ID}', session.id);
      sendHtml(
        res,
        200,
        messagePage(
          'Already paid',
          'This Checkout Session is complete.',
          success ? { href: success, label: 'Continue' } : undefined,
        ),
      );
    } else if (isAuth) {
      if (!sessionExtras(account, session.id).pendingAuthentication) redirect(res, `/c/pay/${session.id}`);
      else sendHtml(res, 200, renderAuthenticationPage(session));
    } else sendHtml(res, 200, renderCheckoutPage(account, session));
    return true;
  }

  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return true;
  }
  const form = new URLSearchParams(await readBody(req));
  const values = Object.fromEntries(form);
  if (isAuth) {
    const result = authenticate(account, session, form.get('outcome') === 'approve');
    respondToResult(res, account, session, result, values);
    return true;
  }
  const action = form.get('action') ?? 'pay';
  if (action === 'apply_promo' || action === 'remove_promo') {
    if (session.status !== 'open') {
      redirect(res, `/c/pay/${session.id}`);
      return true;
    }
    const problem =
      action === 'apply_promo'
        ? applyPromotionCode(account, session, form.get('promotion_code') ?? '')
        : (removePromotionCode(account, session), null);
    sendHtml(res, problem ? 400 : 200, renderCheckoutPage(account, session, { error: problem ?? undefined, values }));
    return true;
  }
  respondToResult(res, account, session, pay(account, session, formToPayInput(form)), values);
  return true;
}
