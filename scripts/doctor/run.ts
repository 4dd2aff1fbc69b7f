// Runs every check in order and renders the report: one line per check, ✔, ⚠ or ✘ with its fix.
import Stripe from 'stripe';
import schema from '../../instant.schema.ts';
import rules from '../../instant.perms.ts';
import type { Product } from '../../catalog/products.ts';
import { STRIPE_API_VERSION, checkSecretKey, parseApiBase } from '../../api/_lib/platform/stripe-client.ts';
import { answerTimeoutMs, fail, type Check, type Env } from './check.ts';
import { checkEnv } from './env.ts';
import { checkInstant, type InstantFiles } from './instant.ts';
import { runLiveTest } from './live-test.ts';
import { checkResend } from './resend.ts';
import { checkStripe } from './stripe.ts';

export type DoctorOptions = {
  localInstant?: boolean;
  liveTest?: boolean;
  /** Defaults: the project's files and catalog. */
  files?: InstantFiles;
  products?: readonly Product[];
  say?: (line: string) => void;
};

export const projectFiles = (): InstantFiles => JSON.parse(JSON.stringify({ schema, rules }));

export async function runDoctor(env: Env, opts: DoctorOptions = {}): Promise<Check[]> {
  const checks = checkEnv(env);
  checks.push(...(await checkInstant(env, { files: opts.files ?? projectFiles(), localServer: opts.localInstant })));
  const stripe = doctorStripe(env, checks);
  if (stripe) checks.push(...(await checkStripe(env, stripe, { products: opts.products, liveTest: opts.liveTest })));
  checks.push(...(await checkResend(env)));
  if (opts.liveTest) {
    if (!stripe || checks.some((c) => c.status === 'fail')) {
      checks.push(fail('live test not run: fix the ✘ above first', 'run the doctor again once every check passes'));
    } else {
      checks.push(...(await runLiveTest(env, { stripe, say: opts.say, products: opts.products })));
    }
  }
  return checks;
}

/** The shop's Stripe client settings, without retries: a Stripe that does not answer is reported, not waited for. */
function doctorStripe(env: Env, checks: Check[]): Stripe | null {
  let key: string;
  try {
    key = checkSecretKey(env.STRIPE_SECRET_KEY);
  } catch {
    return null; // env.ts reports an unusable key
  }
  try {
    const base = env.STRIPE_API_BASE?.trim();
    return new Stripe(key, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 0,
      timeout: answerTimeoutMs(env),
      ...(base ? parseApiBase(base) : {}),
    });
  } catch (e) {
    checks.push(fail('STRIPE_API_BASE is not usable', (e as Error).message));
    return null;
  }
}

const MARK = { ok: '✔', warn: '⚠', fail: '✘' } as const;

export function formatReport(checks: Check[]): string {
  const lines = checks.map((c) => `${MARK[c.status]} ${c.label}${c.fix ? `\n    → ${c.fix}` : ''}`);
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  lines.push(
    '',
    failed
      ? `${failed} problem${failed > 1 ? 's' : ''} to fix${warned ? `, ${warned} to check by hand` : ''}.`
      : `All checks passed${warned ? `; ${warned} to check by hand` : ''}.`,
  );
  return lines.join('\n');
}
