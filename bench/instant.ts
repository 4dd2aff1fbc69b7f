// npm run bench:instant — instant-local's admin write throughput, write-to-update latency for
// 1/100/500 live subscribers, query latency over 10,000 entities, and its own CPU per admin call
// on the shop's webhook path (with the shop's schema and rules). Prints a table.
// The server runs in its own process; this one only generates load and measures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { i, id } from '@instantdb/core';
import { init as initAdmin } from '@instantdb/admin';
import { spawnInstantLocal, type SpawnedInstantLocal as InstantLocal } from '../local/instant/spawn.ts';
import { inFlight } from './support/in-flight.ts';
import { ms, printTable, summarize, type Row } from './support/report.ts';
import { adminPost, shopWebhookMix } from './support/shop-webhook-mix.ts';

const schema = i.schema({
  entities: { things: i.entity({ bucket: i.string().indexed(), n: i.number().indexed() }) },
  links: {},
});
const rules = { things: { allow: { view: 'true' } } };

async function writeThroughput(server: InstantLocal, total: number, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const lat: number[] = [];
  const t0 = performance.now();
  await inFlight(total, concurrency, async (n) => {
    const s = performance.now();
    await adminPost(server, agent, '/admin/transact', {
      steps: [['update', 'things', id(), { bucket: 'w', n }]],
      'throw-on-missing-attrs?': true,
    });
    lat.push(performance.now() - s);
  });
  agent.destroy();
  return { perSec: total / ((performance.now() - t0) / 1000), ...summarize(lat) };
}

/** Raw protocol subscribers: init, one query each; resolves per refresh-ok. */
async function subscribers(server: InstantLocal, count: number, bucket: string) {
  const subs = await Promise.all(
    Array.from({ length: count }, async () => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/runtime/session?app_id=${server.appId}`);
      await new Promise((r) => ws.once('open', r));
      let onRefresh: (() => void) | null = null;
      const ready = new Promise<void>((resolve) => {
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString());
          if (m.op === 'init-ok')
            ws.send(
              JSON.stringify({ op: 'add-query', 'client-event-id': id(), q: { things: { $: { where: { bucket } } } } }),
            );
          if (m.op === 'add-query-ok') resolve();
          if (m.op === 'refresh-ok') onRefresh?.();
        });
      });
      ws.send(JSON.stringify({ op: 'init', 'app-id': server.appId, 'client-event-id': id() }));
      await ready;
      return { ws, next: () => new Promise<void>((r) => (onRefresh = r)) };
    }),
  );
  return subs;
}

async function writeToUpdate(server: InstantLocal, count: number, rounds: number) {
  const bucket = `sub-${count}`;
  const subs = await subscribers(server, count, bucket);
  const admin = initAdmin({ appId: server.appId, adminToken: server.adminToken, apiURI: server.url });
  const lat: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const arrivals = subs.map((s) => s.next());
    const t0 = performance.now();
    await Promise.all([
      admin.transact(admin.tx.things[id()].update({ bucket, n: r })),
      ...arrivals.map((a) => a.then(() => lat.push(performance.now() - t0))),
    ]);
  }
  subs.forEach((s) => s.ws.close());
  return summarize(lat);
}

async function queryLatency(server: InstantLocal, entities: number, rounds: number) {
  const admin = initAdmin({ appId: server.appId, adminToken: server.adminToken, apiURI: server.url });
  for (let k = 0; k < entities; k += 500) {
    await admin.transact(
      Array.from({ length: 500 }, (_, j) => admin.tx.things[id()].update({ bucket: `q${(k + j) % 100}`, n: k + j })),
    );
  }
  const lat: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = performance.now();
    const res = await admin.query({ things: { $: { where: { bucket: `q${r % 100}` } } } });
    lat.push(performance.now() - s);
    if (res.things.length !== entities / 100)
      throw new Error(`expected ${entities / 100} rows, got ${res.things.length}`);
  }
  return summarize(lat);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-instant-'));
const rows: Row[] = [];
try {
  const durable = await spawnInstantLocal({ dataDir: dir, schema: JSON.parse(JSON.stringify(schema)), rules });
  const w = await writeThroughput(durable, 4000, 32);
  rows.push({ metric: 'admin transact/s (durable, 32 in flight)', value: w.perSec.toFixed(0), target: '>= 2000' });
  rows.push({ metric: 'admin transact p50', value: ms(w.p50) }, { metric: 'admin transact p99', value: ms(w.p99) });
  await durable.close();

  const server = await spawnInstantLocal({ memory: true, schema: JSON.parse(JSON.stringify(schema)), rules });
  for (const n of [1, 100, 500]) {
    const s = await writeToUpdate(server, n, n === 500 ? 20 : 50);
    rows.push({ metric: `write->update p50, ${n} subscriber(s)`, value: ms(s.p50) });
    rows.push({
      metric: `write->update p99, ${n} subscriber(s)`,
      value: ms(s.p99),
      target: n === 100 ? '<= 50 ms' : '',
    });
  }
  const q = await queryLatency(server, 10_000, 200);
  rows.push(
    { metric: 'query p50, indexed where, 10k entities', value: ms(q.p50) },
    { metric: 'query p99, indexed where, 10k entities', value: ms(q.p99) },
  );
  await server.close();

  const mix = await shopWebhookMix();
  rows.push(
    { metric: 'shop webhook mix: instant-local CPU per query', value: `${mix.queryMs.toFixed(3)} ms` },
    { metric: 'shop webhook mix: instant-local CPU per transact', value: `${mix.transactMs.toFixed(3)} ms` },
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable('bench:instant', rows);
