// Settings for `npm run dev`, from the environment and `.env.local`. What is configured is used
// for real (Stripe keys, an Instant app, Resend); what is not is replaced by a local stand-in.
// A wrong value stops start-up with one line that names the variable and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

const optional = z.string().trim().min(1).optional();

export const settingsSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(5173),
    INSTANT_APP_ID: z
      .string()
      .trim()
      .uuid(
        'INSTANT_APP_ID must be your Instant app id (a UUID, from the Instant dashboard or your self-hosted server)',
      )
      .optional(),
    INSTANT_ADMIN_TOKEN: optional,
    INSTANT_API_URI: z
      .string()
      .trim()
      .url('INSTANT_API_URI must be a URL such as https://instant.example.com')
      .optional(),
    INSTANT_WEBSOCKET_URI: z
      .string()
      .trim()
      .url('INSTANT_WEBSOCKET_URI must be a URL such as wss://instant.example.com/runtime/session')
      .optional(),
    STRIPE_SECRET_KEY: z
      .string()
      .trim()
      .refine(
        (k) => !k.startsWith('pk_'),
        'STRIPE_SECRET_KEY holds a publishable key (pk_…); use the secret key, which starts with sk_',
      )
      .refine((k) => /^(sk|rk)_(test|live)_/.test(k), 'STRIPE_SECRET_KEY must start with sk_test_ or sk_live_')
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .trim()
      .startsWith(
        'whsec_',
        'STRIPE_WEBHOOK_SECRET must start with whsec_ (from `npm run stripe:setup` or `stripe listen`)',
      )
      .optional(),
    RESEND_API_KEY: z.string().trim().startsWith('re_', 'RESEND_API_KEY must start with re_').optional(),
  })
  .superRefine((s, ctx) => {
    if (Boolean(s.INSTANT_APP_ID) !== Boolean(s.INSTANT_ADMIN_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        message: 'Set INSTANT_APP_ID and INSTANT_ADMIN_TOKEN together (or neither, to use the local Instant server)',
      });
    }
    if (s.INSTANT_WEBSOCKET_URI && !s.INSTANT_API_URI) {
      ctx.addIssue({
        code: 'custom',
        message: 'INSTANT_WEBSOCKET_URI needs INSTANT_API_URI too (self-hosted Instant serves both)',
      });
    }
    if (s.STRIPE_SECRET_KEY && !s.STRIPE_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        message:
          'With STRIPE_SECRET_KEY set, also set STRIPE_WEBHOOK_SECRET (from `stripe listen` or `npm run stripe:setup`)',
      });
    }
  });

export type DevSettings = z.infer<typeof settingsSchema>;

/** Parses `KEY=value` lines (comments and blank lines ignored; quotes stripped). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export class SettingsError extends Error {}

export function loadDevSettings(
  env: Record<string, string | undefined> = process.env,
  file = '.env.local',
): DevSettings {
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file, 'utf8')) : {};
  const merged = { ...fromFile, ...env };
  const picked = Object.fromEntries(
    Object.keys(settingsSchema.shape).map((k) => [k, merged[k] === '' ? undefined : merged[k]]),
  );
  const parsed = settingsSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingsError(issue.message);
  }
  return parsed.data;
}
