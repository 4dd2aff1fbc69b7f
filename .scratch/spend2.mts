import { startBenchStack } from '../bench/support/stack.ts';
import { randomUUID } from 'node:crypto';
const stack = await startBenchStack();
const { grant, spend } = await import('../api/_lib/credits/ledger.ts');
const { adminDb } = await import('../api/_lib/platform/instant-admin.ts');
const db = adminDb();
const newUser = async () => (await db.auth.verifyToken(await db.auth.createToken({ email: `b-${randomUUID()}@example.com` }))).id;
for (let round = 0; round < 5; round++) {
  const u = await newUser(); await grant(u, 40, `g:${u}`, 'b');
  const lat: number[] = []; const c0 = process.cpuUsage(); const t0 = performance.now();
  const ok = await Promise.all(Array.from({ length: 100 }, async (_, n) => { const s = performance.now(); const r = await spend(u, `s:${u}:${n}`, 'b'); lat.push(performance.now() - s); return r.ok; }));
  const c = process.cpuUsage(c0); lat.sort((a, b) => a - b);
  console.log('contention: wall', (performance.now() - t0).toFixed(0), 'p99', lat[98].toFixed(0), 'ok', ok.filter(Boolean).length, 'client cpu', ((c.user + c.system) / 1000).toFixed(0));
}
await stack.close();
process.exit(0);
