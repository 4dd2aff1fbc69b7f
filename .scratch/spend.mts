import { startBenchStack } from '../bench/support/stack.ts';
import { randomUUID } from 'node:crypto';
const stack = await startBenchStack();
const { grant, spend } = await import('../api/_lib/credits/ledger.ts');
const { adminDb } = await import('../api/_lib/platform/instant-admin.ts');
const db = adminDb();
const newUser = async () => (await db.auth.verifyToken(await db.auth.createToken({ email: `b-${randomUUID()}@example.com` }))).id;
for (let round = 0; round < 4; round++) {
  const ids: string[] = [];
  for (let i = 0; i < 100; i += 10) ids.push(...(await Promise.all(Array.from({ length: 10 }, async () => { const id = await newUser(); await grant(id, 1, `g:${id}`, 'b'); return id; }))));
  let c0 = process.cpuUsage(); let t0 = performance.now();
  await Promise.all(ids.map((id) => spend(id, `s:${id}`, 'b')));
  let c = process.cpuUsage(c0); console.log('100 spends: wall', (performance.now() - t0).toFixed(0), 'ms, client cpu', ((c.user + c.system) / 1000).toFixed(0), 'ms');
  c0 = process.cpuUsage(); t0 = performance.now();
  await Promise.all(ids.map((id) => db.query({ creditLots: { $: { where: { userId: id } } } })));
  c = process.cpuUsage(c0); console.log('100 queries: wall', (performance.now() - t0).toFixed(0), 'ms, client cpu', ((c.user + c.system) / 1000).toFixed(0), 'ms');
}
await stack.close();
process.exit(0);
