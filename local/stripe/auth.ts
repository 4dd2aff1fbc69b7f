import { StripeApiError } from './errors.ts';

/** Mask as Stripe does in errors: `sk_live_****abcd`. */
function mask(key: string): string {
  const prefix = /^[a-z]{2}_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}****${key.slice(-4)}`;
}

function unauthorized(message: string): StripeApiError {
  return new StripeApiError(401, { type: 'invalid_request_error', message });
}

/**
 * Accepts `Authorization: Bearer sk_test_…` (or `rk_test_…`), and curl's
 * `-u sk_test_…:` Basic form. With `requiredKey` only that key is accepted;
 * otherwise any test-mode secret key is (one default account).
 */
export function authenticateRequest(header: string | undefined, requiredKey: string | null): string {
  if (!header) {
    throw unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  let key = '';
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme.toLowerCase() === 'bearer') key = value.trim();
  else if (scheme.toLowerCase() === 'basic') key = Buffer.from(value, 'base64').toString('utf8').split(':')[0];
  if (!key) throw unauthorized('Invalid API Key provided: the Authorization header is malformed.');
  if (key.startsWith('pk_')) {
    throw unauthorized(
      'This API call cannot be made with a publishable API key. Please use a secret API key (sk_test_…).',
    );
  }
  if (/^(sk|rk)_live_/.test(key)) {
    throw unauthorized(
      `Invalid API Key provided: ${mask(key)}. The local Stripe stand-in only accepts test-mode keys (sk_test_…); never point it at live keys.`,
    );
  }
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key) || (requiredKey !== null && key !== requiredKey)) {
    throw unauthorized(`Invalid API Key provided: ${mask(key)}`);
  }
  return key;
}
