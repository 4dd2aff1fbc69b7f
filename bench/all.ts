// npm run bench — the shop's benchmarks against the local stack, one after another, printed as
// one table and written as JSON under bench/results/ (with the machine and git revision, so
// runs can be compared side by side).
import { mkdirSync, writeFileSync } from 'node:fs';
import { run as bundle } from './bundle.ts';
import { run as credits } from './credits-contention.ts';
import { run as unlock } from './payment-to-unlock.ts';
import { exitOnMissedTargets, machine, printTable, type Row } from './support/report.ts';
import { run as webhooks } from './webhook-burst.ts';

const sections: [string, () => Promise<Row[]>][] = [
  ['payment to unlock', () => unlock(30)],
  ['webhook burst', () => webhooks(1000)],
  ['credits contention', () => credits(100, 40)],
  ['bundle', () => bundle()],
];

const results: { section: string; rows: Row[] }[] = [];
for (const [section, run] of sections) {
  process.stderr.write(`bench: ${section}…\n`);
  results.push({ section, rows: await run() });
}
const all = results.flatMap(({ section, rows }) => rows.map((r) => ({ ...r, metric: `${section}: ${r.metric}` })));
printTable('npm run bench', all);

const m = machine();
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}-${m.rev}.json`;
writeFileSync(file, JSON.stringify({ machine: m, at: new Date().toISOString(), results }, null, 2));
console.log(`\nwritten to ${file}`);
exitOnMissedTargets(all);
