// `npm run stripe:local -- …`, in the manner of the Stripe CLI: serves the stand-in, or drives a
// running one (commands and options: STRIPE_CLI's usage, `npm run stripe:local -- --help`).
import { cliArgs, UsageError, valueOptions } from '../cli-args.ts';
import { stripeFaultsBody, type StripeFaultOptions } from './faults.ts';
import { encodeForm } from './form-encoding.ts';
import { DEFAULT_TEST_KEY, startStripeLocal } from './server.ts';

const STRIPE_CLI = {
  usage: `usage: npm run stripe:local -- [command] [options]

  serve (default)  --port 12111 [--host 127.0.0.1] [--key sk_test_…] [--forward-to URL] [--events a,b]
                   [--async-delay-ms N] [--faults JSON] [--seed S]    serve the stand-in
                   (--seed: ids from S, so a fault seed hits the same requests every run)
  faults [JSON]                            show, or replace, the injected faults (README: Faults)
  trigger <event> [--count N]              run a fixture that causes <event>
  resend <evt_…> [--copies N] [--delay-ms N] [--endpoint we_…]
  events [--type T] [--limit N]            list recent events
  deliveries [--event evt_…]               the webhook delivery log
  pay <cs_…> [--card N] [--email E] [--delayed succeeded|failed]
  authenticate <cs_…> approve|fail
  settle <cs_…> [succeeded|failed]
  expire <cs_…>
  refund <pi_…|ch_…> [--amount N]
  fail-refund <re_…>
  dispute <ch_…> [--reason R]
  close-dispute <dp_…> won|lost
  hold | release [--order fifo|reverse|shuffle] | reset

Client commands talk to a running stand-in at --url, else $STRIPE_API_BASE, else http://127.0.0.1:12111.`,
  // Every option takes a value.
  options: valueOptions(
    ...['port', 'host', 'url', 'key', 'forward-to', 'events', 'async-delay-ms', 'faults', 'seed'],
    ...['count', 'copies', 'delay-ms', 'endpoint', 'type', 'limit', 'event', 'card', 'email', 'delayed'],
    ...['amount', 'reason', 'order'],
  ),
  positionals: true,
} as const;

/** Each command and the arguments it requires, in order. */
const COMMANDS: Record<string, string[]> = {
  serve: [],
  trigger: ['an event type'],
  resend: ['an event id'],
  events: [],
  deliveries: [],
  pay: ['a checkout session id'],
  authenticate: ['a checkout session id', 'approve|fail'],
  settle: ['a checkout session id'],
  expire: ['a checkout session id'],
  refund: ['a payment intent or charge id'],
  'fail-refund': ['a refund id'],
  dispute: ['a charge id'],
  'close-dispute': ['a dispute id', 'won|lost'],
  hold: [],
  release: [],
  reset: [],
  faults: [],
};
const WHOLE_NUMBERS = ['port', 'async-delay-ms', 'count', 'copies', 'delay-ms', 'limit', 'amount'] as const;

const { values, positionals } = cliArgs(STRIPE_CLI, (parsed) => {
  const [command = 'serve', ...rest] = parsed.positionals;
  const needs = COMMANDS[command];
  if (!needs) throw new UsageError(`unknown command "${command}"`);
  needs.forEach((what, i) => {
    if (!rest[i]) throw new UsageError(`${command} needs ${what}`);
  });
  for (const name of WHOLE_NUMBERS) {
    const v = parsed.values[name];
    if (v !== undefined && !/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  }
  return parsed;
});

const [command = 'serve', ...args] = positionals;
const base = (values.url ?? process.env.STRIPE_API_BASE ?? 'http://127.0.0.1:12111').replace(/\/$/, '');
const key =
  values.key ??
  (process.env.STRIPE_SECRET_KEY?.startsWith('sk_test_') ? process.env.STRIPE_SECRET_KEY : DEFAULT_TEST_KEY);

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function faultsJson(text: string): StripeFaultOptions {
  try {
    return stripeFaultsBody.parse(JSON.parse(text));
  } catch (e) {
    fail(
      `faults must be JSON like {"api":{"seed":1,"rules":[{"path":"/v1/refunds","rates":{"error_500":0.2}}]}}: ${(e as Error).message}`,
    );
  }
}

function int(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const isApi = path.startsWith('/v1/');
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: isApi
        ? { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' }
        : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : isApi ? encodeForm(body as Record<string, unknown>) : JSON.stringify(body),
    });
  } catch {
    fail(
      `Cannot reach the Stripe stand-in at ${base}. Start it with \`npm run stripe:local -- --port 12111\` or pass --url.`,
    );
  }
  const json: unknown = await res.json();
  if (!res.ok) fail(JSON.stringify(json, null, 2));
  return json;
}

async function serve(): Promise<void> {
  const port = int(values.port) ?? 12111;
  const asyncDelay = values['async-delay-ms'] === undefined ? 10_000 : int(values['async-delay-ms'])!;
  const forwardTo = values['forward-to'];
  const stripe = await startStripeLocal({
    port,
    host: values.host,
    secretKey: values.key,
    asyncPaymentDelayMs: asyncDelay,
    faults: values.faults ? faultsJson(values.faults) : undefined,
    seed: values.seed,
    webhookEndpoints: forwardTo ? [{ url: forwardTo, enabled_events: values.events?.split(',') ?? ['*'] }] : [],
  });
  console.log(`Stripe stand-in ready at ${stripe.url}`);
  console.log(`  STRIPE_API_BASE=${stripe.url}`);
  console.log(`  STRIPE_SECRET_KEY=${stripe.secretKey}   (test mode; any sk_test_… key is accepted)`);
  for (const e of stripe.webhookEndpoints) {
    console.log(`  Forwarding events to ${e.url}; webhook signing secret: ${e.secret}`);
  }
  console.log(`  Dashboard-like overview: ${stripe.url}/   test controls: ${stripe.url}/_local`);
  stripe.onDelivery((d) => {
    console.log(
      `${new Date(d.finished_at).toISOString()}  --> ${d.event_type} [${d.event_id}]  <-- ${d.response_status ?? d.error} (attempt ${d.attempt}, ${d.status})`,
    );
  });
  const stop = (): void => {
    void stripe.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<void> {
  const out = (v: unknown): void => console.log(JSON.stringify(v, null, 2));
  switch (command) {
    case 'serve':
      return serve();
    case 'trigger':
      return out(await call('POST', '/_local/trigger', { event: args[0], count: int(values.count) }));
    case 'resend':
      return out(
        await call('POST', `/_local/events/${args[0]}/resend`, {
          copies: int(values.copies),
          delay_ms: int(values['delay-ms']),
          endpoint: values.endpoint,
        }),
      );
    case 'events': {
      const q = encodeForm({ type: values.type, limit: values.limit ?? '20' });
      const list = (await call('GET', `/v1/events?${q}`)) as {
        data: { id: string; type: string; created: number; pending_webhooks: number }[];
      };
      for (const e of list.data)
        console.log(
          `${new Date(e.created * 1000).toISOString()}  ${e.id}  ${e.type}  pending_webhooks=${e.pending_webhooks}`,
        );
      return;
    }
    case 'deliveries':
      return out(
        await call('GET', `/_local/deliveries${values.event ? `?event=${encodeURIComponent(values.event)}` : ''}`),
      );
    case 'pay':
      return out(
        await call('POST', `/_local/checkout_sessions/${args[0]}/pay`, {
          email: values.email ?? 'buyer@example.com',
          card: values.card ?? '4242424242424242',
          method: values.delayed ? 'delayed' : 'card',
          outcome: values.delayed,
        }),
      );
    case 'authenticate':
      return out(await call('POST', `/_local/checkout_sessions/${args[0]}/authenticate`, { outcome: args[1] }));
    case 'settle':
      return out(await call('POST', `/_local/checkout_sessions/${args[0]}/settle`, { outcome: args[1] }));
    case 'expire':
      return out(await call('POST', `/_local/checkout_sessions/${args[0]}/expire`));
    case 'refund': {
      const id = args[0];
      return out(
        await call('POST', '/v1/refunds', {
          [id.startsWith('ch_') ? 'charge' : 'payment_intent']: id,
          amount: values.amount,
        }),
      );
    }
    case 'fail-refund':
      return out(await call('POST', `/_local/refunds/${args[0]}/fail`, {}));
    case 'dispute':
      return out(await call('POST', `/_local/charges/${args[0]}/dispute`, { reason: values.reason }));
    case 'close-dispute':
      return out(await call('POST', `/_local/disputes/${args[0]}/close`, { status: args[1] }));
    case 'hold':
      return out(await call('POST', '/_local/webhooks/hold', {}));
    case 'release':
      return out(await call('POST', '/_local/webhooks/release', { order: values.order }));
    case 'reset':
      return out(await call('POST', '/_local/reset', {}));
    case 'faults':
      return out(
        args[0] ? await call('POST', '/_local/faults', faultsJson(args[0])) : await call('GET', '/_local/faults'),
      );
    default:
      throw new Error(`unhandled command ${command}`);
  }
}

await main();
