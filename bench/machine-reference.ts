// The machine's speed at the time of a run: this VM's CPU speed moves by a third within an hour,
// and every CPU-bound figure of the benches moves with it. Two fixed workloads in one process, a
// local node:http server answering a small JSON body: CPU per exchange made with node:http (what
// the stand-ins do) and with fetch (what the shop's functions do through the Instant and Resend
// SDKs). Compare runs by these before comparing their figures. No targets.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inFlight } from './support/in-flight.ts';
import { rawPostJson } from './support/raw-http.ts';
import { printTable, type Row } from './support/report.ts';

const IN_FLIGHT = 16;

/** CPU µs per exchange (both ends, this process) over `n` exchanges, after `n` unmeasured ones. */
async function cpuPerExchange(n: number, exchange: () => Promise<unknown>): Promise<number> {
  await inFlight(n, IN_FLIGHT, exchange);
  const before = process.cpuUsage();
  await inFlight(n, IN_FLIGHT, exchange);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

export async function run(n = 4000): Promise<Row[]> {
  const answer = JSON.stringify({ ok: true, items: Array.from({ length: 8 }, (_, i) => ({ id: i, name: `n${i}` })) });
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const body = { query: { purchases: { $: { where: { id: 'x' } } } } };
  try {
    const raw = await cpuPerExchange(n, () => rawPostJson(url, body));
    const viaFetch = await cpuPerExchange(n, async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return res.json();
    });
    return [
      { metric: `node:http exchange, CPU (client and server, ${IN_FLIGHT} in flight)`, value: `${raw.toFixed(0)} µs` },
      { metric: `fetch exchange, CPU (client and server, ${IN_FLIGHT} in flight)`, value: `${viaFetch.toFixed(0)} µs` },
    ];
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printTable('bench:machine', await run());
