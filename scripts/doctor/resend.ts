// Resend: the key works and MAIL_FROM's domain is verified. A key with "Sending access" may not
// read domains: that is a ⚠ to check by hand, not a failure.
import { Resend } from 'resend';
import {
  answerTimeoutMs,
  cannotVerify,
  fail,
  isNetworkError,
  keyPrefix,
  ok,
  withTimeout,
  type Check,
  type Env,
} from './check.ts';
import { DEFAULT_MAIL_FROM, isProduction, mailFromAddress } from './env.ts';

const DOMAINS_PAGE = 'https://resend.com/domains';

export async function checkResend(env: Env): Promise<Check[]> {
  const key = env.RESEND_API_KEY?.trim();
  if (!key) return isProduction(env) ? [] : [ok('Resend: not configured (receipts are skipped outside production)')];
  if (!key.startsWith('re_')) return []; // env.ts reports a key that is not Resend's
  const from = env.MAIL_FROM?.trim() || DEFAULT_MAIL_FROM;
  const address = mailFromAddress(from);
  if (!address) return []; // env.ts reports the malformed MAIL_FROM
  const domain = address.split('@')[1].toLowerCase();
  const base = env.RESEND_BASE_URL?.trim() || 'https://api.resend.com';
  const resend = new Resend(key, { baseUrl: base });

  // Resend lists at most 100 domains a page; the shop's is normally one of a handful.
  let answer: Awaited<ReturnType<Resend['domains']['list']>>;
  try {
    answer = await withTimeout(resend.domains.list({ limit: 100 }), answerTimeoutMs(env));
  } catch (e) {
    if (isNetworkError(e))
      return [
        fail(
          `Resend did not answer at ${base} (${(e as Error).message})`,
          'check RESEND_BASE_URL (local only) and the network, then run the doctor again',
        ),
      ];
    throw e;
  }
  const { data, error } = answer;
  if (error) {
    if (error.name === 'restricted_api_key') {
      return [
        ok(`Resend accepts RESEND_API_KEY (${keyPrefix(key)}), a sending-only key`),
        cannotVerify(
          `Resend: whether ${domain} (MAIL_FROM) is verified`,
          `${DOMAINS_PAGE} shows ${domain} as Verified (this key may only send, so it cannot read domains)`,
        ),
      ];
    }
    if (error.statusCode === null)
      return [
        fail(
          `Resend did not answer at ${base}`,
          'check RESEND_BASE_URL (local only) and the network, then run the doctor again',
        ),
      ];
    // Resend has answered a bad key with 401/403 `invalid_api_key` and with 400 "API key is invalid".
    if (
      error.name === 'invalid_api_key' ||
      error.name === 'missing_api_key' ||
      error.statusCode === 401 ||
      error.statusCode === 403 ||
      /api key/i.test(error.message)
    ) {
      return [
        fail(
          `Resend refused RESEND_API_KEY (${keyPrefix(key)}): ${error.message}`,
          'create a key at https://resend.com/api-keys and set RESEND_API_KEY',
        ),
      ];
    }
    return [fail(`Resend answered an error: ${error.message}`, 'see the message; run the doctor again once fixed')];
  }
  const checks: Check[] = [ok(`Resend accepts RESEND_API_KEY (${keyPrefix(key)})`)];
  const found = data!.data.find((d) => d.name.toLowerCase() === domain);
  if (!found) {
    checks.push(
      fail(
        `Resend: ${domain} (MAIL_FROM) is not a domain of this Resend account`,
        `add ${domain} at ${DOMAINS_PAGE} and publish its DNS records, or set MAIL_FROM to an address on a verified domain`,
      ),
    );
  } else if (found.status !== 'verified') {
    checks.push(
      fail(
        `Resend: ${domain} (MAIL_FROM) is not verified (status ${found.status})`,
        `publish the DNS records shown at ${DOMAINS_PAGE} for ${domain} and press Verify`,
      ),
    );
  } else {
    checks.push(ok(`Resend: ${domain} (MAIL_FROM) is verified`));
  }
  return checks;
}
