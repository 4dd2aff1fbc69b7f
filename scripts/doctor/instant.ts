// Instant: the server answers with the admin token, holds the schema and rules of the project's
// files (pulled through the endpoints instant-cli uses), has the wallpapers seeded, and can mail
// magic codes (which a self-hosted server does only through Postmark or SendGrid).
import { init } from '@instantdb/admin';
import { WALLPAPERS } from '../../catalog/wallpapers.ts';
import {
  answerTimeoutMs,
  cannotVerify,
  fail,
  isNetworkError,
  ok,
  unreachable,
  withTimeout,
  type Check,
  type Env,
} from './check.ts';
import { diffRules, diffSchema, type SchemaFile, type ServerAttr } from './instant-diff.ts';

export const INSTANT_CLOUD = 'https://api.instantdb.com';
const PUSH = 'run `npm run instant:push` (instant-cli push schema and perms, pointed at this server)';

export type InstantFiles = { schema: SchemaFile; rules: Record<string, never> | Record<string, unknown> };

export function instantAddress(env: Env): string {
  return (env.INSTANT_API_URI?.trim() || INSTANT_CLOUD).replace(/\/+$/, '');
}

/** The server answered, but not with the pull. */
class Refused extends Error {}

async function pull(env: Env, what: 'schema' | 'perms'): Promise<unknown> {
  const url = `${instantAddress(env)}/dash/apps/${encodeURIComponent(env.INSTANT_APP_ID!.trim())}/${what}/pull`;
  const res = await withTimeout(
    fetch(url, { headers: { authorization: `Bearer ${env.INSTANT_ADMIN_TOKEN!.trim()}` } }),
    answerTimeoutMs(env),
  );
  const text = await withTimeout(res.text(), answerTimeoutMs(env));
  let body: { message?: string } | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: reported below with the status
  }
  if (res.status === 404)
    throw new Refused(
      `${url.replace(/\/dash\/apps\/[^/]+/, '/dash/apps/:id')} is not there (404): INSTANT_API_URI may not point at an Instant server`,
    );
  if (!res.ok)
    throw new Refused(
      `GET /dash/apps/:id/${what}/pull answered ${res.status}${body?.message ? `: ${body.message}` : ''}`,
    );
  if (!body) throw new Refused(`GET /dash/apps/:id/${what}/pull answered something that is not JSON`);
  return body;
}

/** The first differences, and how many more. */
const summary = (diffs: string[]) =>
  `${diffs.slice(0, 5).join('; ')}${diffs.length > 5 ? `; and ${diffs.length - 5} more` : ''}`;

export type InstantOptions = {
  files: InstantFiles;
  /** The local stand-in, which mails magic codes to the local mailbox. */
  localServer?: boolean;
};

export async function checkInstant(env: Env, opts: InstantOptions): Promise<Check[]> {
  if (!env.INSTANT_APP_ID?.trim() || !env.INSTANT_ADMIN_TOKEN?.trim()) return []; // env.ts reports them
  const address = instantAddress(env);
  const checks: Check[] = [];

  // Reachable with the admin token, and the wallpapers seeded (one admin query does both).
  const db = init({ appId: env.INSTANT_APP_ID.trim(), adminToken: env.INSTANT_ADMIN_TOKEN.trim(), apiURI: address });
  let slugs: string[];
  try {
    const { wallpapers } = await withTimeout(db.query({ wallpapers: {} }), answerTimeoutMs(env));
    slugs = (wallpapers as { slug?: string }[]).map((w) => w.slug ?? '');
  } catch (e) {
    if (isNetworkError(e))
      return [fail(unreachable('Instant', address, e), 'check INSTANT_API_URI and that the server is running')];
    const body = (e as { body?: { message?: string } }).body;
    if (!body?.message) {
      return [
        fail(
          `Instant at ${address} did not answer the admin query as an Instant server does (${(e as Error).message})`,
          "check that INSTANT_API_URI is your Instant server's API address (e.g. https://api.myinstant.example)",
        ),
      ];
    }
    return [
      fail(
        `Instant refused the admin token for app ${env.INSTANT_APP_ID.trim()} at ${address}: ${body.message}`,
        'copy the app id and admin token again from your Instant dashboard (INSTANT_APP_ID, INSTANT_ADMIN_TOKEN)',
      ),
    ];
  }
  checks.push(ok(`Instant answers at ${address} with the admin token`));

  for (const what of ['schema', 'perms'] as const) {
    try {
      const body = (await pull(env, what)) as { attrs?: ServerAttr[]; perms?: Record<string, never> | null };
      const diffs =
        what === 'schema'
          ? diffSchema(opts.files.schema, body.attrs ?? [])
          : diffRules(opts.files.rules as never, body.perms ?? null);
      const file = what === 'schema' ? 'instant.schema.ts' : 'instant.perms.ts';
      checks.push(
        diffs.length
          ? fail(
              `Instant ${what === 'schema' ? 'schema on the server differs' : 'rules on the server differ'} from ${file}: ${summary(diffs)}`,
              PUSH,
            )
          : ok(
              `Instant ${what === 'schema' ? 'schema on the server is that' : 'rules on the server are those'} of ${file}`,
            ),
      );
    } catch (e) {
      if (isNetworkError(e))
        checks.push(fail(unreachable('Instant', address, e), 'check INSTANT_API_URI and that the server is running'));
      else
        checks.push(
          fail(
            `Instant could not pull the ${what}: ${(e as Error).message}`,
            'check INSTANT_API_URI, and that INSTANT_ADMIN_TOKEN is the admin token of INSTANT_APP_ID (instant-cli pulls with it too)',
          ),
        );
    }
  }

  const missing = WALLPAPERS.filter((w) => !slugs.includes(w.slug)).map((w) => w.slug);
  checks.push(
    missing.length
      ? fail(
          `Instant: ${missing.length} of ${WALLPAPERS.length} wallpapers not seeded (${missing.join(', ')})`,
          'run `npm run seed`',
        )
      : ok(`Instant: all ${WALLPAPERS.length} wallpapers seeded`),
  );

  if (opts.localServer) checks.push(ok('Instant magic codes: the local server mails them to the local mailbox'));
  else if (address === INSTANT_CLOUD) checks.push(ok('Instant magic codes: Instant Cloud sends them'));
  else {
    checks.push(
      cannotVerify(
        'Instant magic codes from a self-hosted server',
        'that the server has POSTMARK_TOKEN or SENDGRID_TOKEN set with a verified INSTANT_APP_EMAIL_SENDER_EMAIL ' +
          '(without them it only writes codes to its log); sign in once to see a code arrive',
      ),
    );
  }
  return checks;
}
