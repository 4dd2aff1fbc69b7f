/**
 * `npm run ops -- <command>`: the operator page's abilities from a terminal, with the server's
 * credentials (no sign-in), recorded in the audit trail as `cli:<os user>`.
 *
 * Commands and options: `npm run ops -- --help` (OPS_CLI below).
 *
 * Settings come from the environment, else `.env.local`, else `.data/local.json` (written by
 * `npm run dev`, so the CLI works against the running local stack with no setup).
 */
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import { ZodError } from 'zod';
import { HttpError } from '../api/_lib/platform/http.ts';
import { runOps, type OpsCommand } from '../api/_lib/ops/commands.ts';
import type { FindResult } from '../api/_lib/ops/find-by-email.ts';
import type { ReconcileReport } from '../api/_lib/ops/reconcile.ts';
import type { CsvExport } from '../api/_lib/ops/export-csv.ts';
import { checkTimeZone } from '../api/_lib/ops/zoned-time.ts';
import { cliArgs, parseCliArgs, UsageError, valueOptions } from '../local/cli-args.ts';
import { parseDotenv } from '../local/dev/settings.ts';

export const OPS_CLI = {
  usage: `usage: npm run ops -- <command> [options]

  find <email>                      purchases, receipts, ledger, plan and downloads for an email
  recover <email>                   mail the buyer a one-use recovery link (works when codes are locked out)
  resend-receipt <sessionId>        send a purchase's receipt again
  refund <sessionId> [--amount n]   refund in Stripe (n in cents; default: all that is left)
  reconcile [--since 24h|<ISO>]     repair what missed webhooks left undone
  webhooks [--type t] [--outcome o] [--q email|cs_…|evt_…] [--limit n]
  replay <eventId> [--via reprocess|resend]
  audit [--limit n]
  overview [--range today|7d|30d] [--from d --to d] [--tz Zone]   sales, credits, webhook health, attention
  export --what purchases|ledger|webhooks --from YYYY-MM-DD --to YYYY-MM-DD [--tz Zone] [--out file.csv]
                                    CSV of a range of days (default zone: this machine's; default out: stdout)

Settings come from the environment, else .env.local, else .data/local.json (npm run dev's).`,
  // Every option takes a value.
  options: valueOptions(
    'amount',
    'since',
    'type',
    'outcome',
    'q',
    'limit',
    'via',
    'range',
    'what',
    'from',
    'to',
    'tz',
    'out',
  ),

  positionals: true,
} as const;

type OpsArgs = ReturnType<typeof parseCliArgs<typeof OPS_CLI.options>>;

/** Fills unset settings from `.env.local`, then from the local stack's `.data/local.json`. */
export function loadOpsEnv(env: Record<string, string | undefined> = process.env, cwd = '.'): 'env' | 'local.json' {
  const dotenv = `${cwd}/.env.local`;
  if (existsSync(dotenv))
    for (const [k, v] of Object.entries(parseDotenv(readFileSync(dotenv, 'utf8')))) if (v && !env[k]) env[k] = v;
  const localFile = `${cwd}/.data/local.json`;
  if (env.INSTANT_APP_ID || !existsSync(localFile)) return 'env';
  const local = JSON.parse(readFileSync(localFile, 'utf8'));
  const set = (k: string, v: unknown) => void (typeof v === 'string' && !env[k] && (env[k] = v));
  set('INSTANT_APP_ID', local.instant?.appId);
  set('INSTANT_ADMIN_TOKEN', local.instant?.adminToken);
  set('INSTANT_API_URI', local.instant?.url);
  set('STRIPE_SECRET_KEY', local.stripe?.secretKey);
  set('STRIPE_API_BASE', local.stripe?.url);
  set('RESEND_API_KEY', local.mailbox?.apiKey);
  set('RESEND_BASE_URL', local.mailbox?.url);
  set('APP_URL', local.app?.url);
  set('STRIPE_WEBHOOK_SECRET', local.stripe?.webhookSecret);
  set('OPERATOR_EMAILS', local.operators);
  for (const [k, v] of Object.entries(local.paymentLinks ?? {})) set(k, v);
  return 'local.json';
}

/** The command and its input, from parsed arguments; a missing command or argument is a UsageError. */
export function inputFor({ positionals, values }: OpsArgs): {
  command: OpsCommand;
  input: Record<string, unknown>;
  out?: string;
} {
  const [command, arg, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const needArg = (what: string) => {
    if (!arg) throw new UsageError(`${command} needs ${what}`);
    return arg;
  };
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  switch (command) {
    case 'find':
    case 'recover':
      return { command, input: { email: needArg('an email') } };
    case 'resend-receipt':
      return { command, input: { sessionId: needArg('a checkout session id (cs_…)') } };
    case 'refund':
      return { command, input: { sessionId: needArg('a checkout session id (cs_…)'), amount: num(values.amount) } };
    case 'reconcile':
      return { command, input: { since: values.since } };
    case 'webhooks':
      return { command, input: { type: values.type, outcome: values.outcome, q: values.q, limit: num(values.limit) } };
    case 'replay':
      return { command, input: { eventId: needArg('an event id (evt_…)'), via: values.via } };
    case 'audit':
      return { command, input: { limit: num(values.limit) } };
    case 'overview':
      return {
        command,
        input: {
          range: values.range ?? (values.from || values.to ? 'custom' : '7d'),
          from: values.from,
          to: values.to,
          timeZone: timeZoneOf(values.tz),
        },
      };
    case 'export': {
      const need = (name: 'what' | 'from' | 'to') => {
        if (!values[name]) throw new UsageError(`export needs --${name}`);
        return values[name];
      };
      return {
        command,
        input: { what: need('what'), from: need('from'), to: need('to'), timeZone: timeZoneOf(values.tz) },
        out: values.out,
      };
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  }
}

/** The zone days are counted in: `--tz` (an unknown zone is a usage mistake), else this machine's. */
function timeZoneOf(tz: string | undefined): string {
  if (tz === undefined) return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    checkTimeZone(tz);
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    throw new UsageError(`--tz must be an IANA time zone name such as Europe/Paris or America/New_York (got "${tz}")`);
  }
  return tz;
}

type OpsRequest = ReturnType<typeof inputFor>;

/** Runs one command; returns the text to print (tests call this directly). */
export async function runCli(
  argv: string[],
  operator = `cli:${userInfo().username}`,
): Promise<{ result: unknown; text: string }> {
  return runRequest(inputFor(parseCliArgs(OPS_CLI, argv)), operator);
}

async function runRequest(
  { command, input, out }: OpsRequest,
  operator: string,
): Promise<{ result: unknown; text: string }> {
  const result = await runOps(command, operator, input);
  if (command === 'export') return { result, text: await writeExport(result as CsvExport, out) };
  return { result, text: format(command, result) };
}

/** Streams an export to `out` (then says where it went), or gives the CSV itself to print. */
async function writeExport({ filename, lines }: CsvExport, out: string | undefined): Promise<string> {
  if (!out) {
    let text = '';
    for await (const line of lines) text += line;
    return text.replace(/\r\n$/, '');
  }
  let rows = -1; // the header row
  await pipeline(
    Readable.from(
      (async function* () {
        for await (const line of lines) {
          rows++;
          yield line;
        }
      })(),
    ),
    createWriteStream(out),
  );
  return `wrote ${rows} rows to ${out} (${filename})`;
}

function format(command: OpsCommand, result: unknown): string {
  if (command === 'reconcile') {
    const r = result as ReconcileReport;
    const lines = [`checked ${r.sessionsChecked} sessions and ${r.eventsChecked} events since ${r.since}`];
    for (const p of r.repaired)
      lines.push(`repaired ${p.sessionId} (${p.email ?? 'no email'}): ${p.changes.join('; ')}`);
    for (const x of r.receiptsResent) lines.push(`receipt ${x.sessionId} to ${x.to}: ${x.result}`);
    for (const e of r.errors) lines.push(`error ${e.target}: ${e.error}`);
    lines.push(`pruned ${r.pruned.rateSlots} rate-limit slots, ${r.pruned.webhookEvents} webhook-log rows`);
    lines.push(`drift report ${r.runId}: ${r.findings.length} findings`);
    lines.push(`${r.repaired.length} repaired, ${r.receiptsResent.length} receipts re-sent, ${r.errors.length} errors`);
    return lines.join('\n');
  }
  if (command === 'find') {
    const r = result as FindResult;
    const lines = [
      `${r.email}: ${r.user ? `user ${r.user.id}, plan ${r.user.plan ?? 'none'}, customer ${r.user.stripeCustomerId ?? 'none'}` : 'no account'}; balance ${r.balance}`,
    ];
    for (const p of r.purchases) {
      lines.push(
        `  ${p.status.padEnd(9)} ${p.title} ${p.amount ?? '?'} ${p.currency ?? ''} ${p.sessionId} ${p.paymentIntentId ?? '-'} receipt ${p.receipt?.status ?? 'none'}`,
      );
    }
    for (const d of r.downloads) lines.push(`  download ${d.title}: ${d.available ? d.file : d.reason}`);
    return lines.join('\n');
  }
  return JSON.stringify(result, null, 2);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const request = cliArgs(OPS_CLI, inputFor);
  const source = loadOpsEnv();
  try {
    console.log((await runRequest(request, `cli:${userInfo().username}`)).text);
  } catch (e) {
    const message =
      e instanceof ZodError
        ? e.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')
        : (e as Error).message;
    const hint =
      source === 'local.json' && /fetch failed|ECONNREFUSED/.test(message)
        ? ' (settings from .data/local.json: is `npm run dev` running?)'
        : '';
    console.error(e instanceof HttpError || e instanceof ZodError ? message : `ops: ${message}${hint}`);
    process.exit(1);
  }
}
