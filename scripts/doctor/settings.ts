// Where the doctor's settings come from: the environment, else `.env.local`, else the running
// `npm run dev` stack's `.data/local.json` (as `npm run ops` finds it), with what only the
// doctor needs from that file: the webhook secret, the operators and the payment links.
import { existsSync, readFileSync } from 'node:fs';
import { loadOpsEnv } from '../ops.ts';
import type { Env } from './check.ts';

export type DoctorSettings = { env: Env; source: 'env' | 'local.json'; localInstant: boolean };

export function loadDoctorSettings(base: Env = process.env, cwd = '.'): DoctorSettings {
  const env: Env = { ...base };
  const source = loadOpsEnv(env, cwd);
  if (source !== 'local.json') return { env, source, localInstant: false };
  const local = JSON.parse(readFileSync(`${cwd}/.data/local.json`, 'utf8'));
  const set = (k: string, v: unknown) => void (typeof v === 'string' && v && !env[k] && (env[k] = v));
  set('STRIPE_WEBHOOK_SECRET', local.stripe?.webhookSecret);
  set('OPERATOR_EMAILS', local.operators);
  for (const [k, v] of Object.entries(local.paymentLinks ?? {})) set(k, v);
  return { env, source, localInstant: Boolean(local.instant?.local) };
}

export const hasLocalStack = (cwd = '.') => existsSync(`${cwd}/.data/local.json`);
