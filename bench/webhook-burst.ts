// npm run bench:webhooks — a burst like a sale, or Stripe redelivering after an outage: 1,000
// distinct paid sessions whose webhooks were held, then delivered with every event sent three
// times, 50 deliveries in flight. Prints deliveries per second, handler latency, and checks that
// exactly 1,000 purchases and 1,000 receipts exist. The webhook function is served as on Vercel.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ms, printTable, summarize, type Row } from './support/report.ts';
import { sessionIdOf, startBenchStack } from './support/stack.ts';

export async function run(sessions = 1000): Promise<Row[]> {
  const stack = await startBenchStack({ webhookConcurrency: 50, webhooksToPlainApi: true });
  try {
    await stack.local('webhooks/hold');
    const ids: string[] = [];
    // Sessions are made and paid 25 at a time (setup, not measured), all from this one client:
    // the bench stack scales the per-client limits (RATE_LIMIT_SCALE) instead of spoofing addresses.
    for (let i = 0; i < sessions; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(25, sessions - i) }, async (_, j) => {
          const res = await stack.post('/api/checkout', { token: randomUUID(), productId: 'wallpapers-warm' });
          const id = sessionIdOf((await res.json()).url);
          await stack.local(`checkout_sessions/${id}/pay`, { email: `burst-${i + j}@example.com`, card: '4242424242424242' });
          return id;
        }),
      );
      ids.push(...batch);
    }
    const held = stack.stripe!.deliveries().length;
    const completed = (await stack.stripeSdk.events.list({ type: 'checkout.session.completed', limit: 100 }).autoPagingToArray({ limit: 10_000 })).filter((e) =>
      ids.includes((e.data.object as { id: string }).id),
    );

    const t0 = performance.now();
    await stack.local('webhooks/release');
    // Two more copies of every event, while the first copies are still being delivered.
    await Promise.all(completed.map((e) => stack.local(`events/${e.id}/resend`, { copies: 2 })));
    await stack.stripe!.whenDeliveriesIdle();
    const seconds = (performance.now() - t0) / 1000;

    const attempts = stack.stripe!.deliveries().slice(held);
    const ok = attempts.filter((a) => a.status === 'succeeded');
    const { purchases } = await stack.admin({ purchases: { $: { where: { sessionId: { $in: ids } } } } });
    const { receipts } = await stack.admin({ receipts: { $: { where: { sessionId: { $in: ids } } } } });
    const paid = purchases.filter((p: { status: string }) => p.status === 'paid').length;
    const mails = stack.mailbox!.messages().filter((m) => m.subject.startsWith('Your receipt')).length;
    const lat = summarize(ok.map((a) => a.duration_ms));
    return [
      { metric: 'webhook deliveries (3 per event, 50 in flight)', value: String(attempts.length) },
      { metric: 'deliveries/s', value: (attempts.length / seconds).toFixed(0), target: '>= 200' },
      { metric: 'handler latency p50', value: ms(lat.p50) },
      { metric: 'handler latency p99', value: ms(lat.p99) },
      { metric: 'failed deliveries (retried)', value: String(attempts.length - ok.length) },
      { metric: `purchases paid / ${sessions}`, value: String(paid), target: `= ${sessions}` },
      { metric: `receipts recorded / sent / ${sessions}`, value: `${receipts.length} / ${mails}`, target: `= ${sessions}` },
    ];
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printTable('bench:webhooks', await run(Number(process.env.BENCH_SESSIONS ?? 1000)));
