// npm run bench — the shop's benchmarks against the local stack, one after another, printed as
// one table and written as JSON under bench/results/ (with the machine and git revision, so
// runs can be compared side by side).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { exitOnMissedTargets, machine, printTable, type Row } from './support/report.ts';

// Each section in a process of its own (support/run-section.ts), one after another.
const sections: [section: string, file: string, ...args: number[]][] = [
  ['machine', 'machine-reference.ts', 4000],
  ['payment to unlock', 'payment-to-unlock.ts', 30],
  ['webhook burst', 'webhook-burst.ts', 1000],
  ['credits contention', 'credits-contention.ts', 100, 40],
  ['bundle', 'bundle.ts'],
];

function runSection(file: string, args: number[]): Row[] {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL('support/run-section.ts', import.meta.url).pathname, file, ...args.map(String)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  const last = child.stdout.trimEnd().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('[')) throw new Error(`bench ${file} failed (exit ${child.status})`);
  return JSON.parse(last) as Row[];
}

const results: { section: string; rows: Row[] }[] = [];
for (const [section, file, ...args] of sections) {
  process.stderr.write(`bench: ${section}…\n`);
  results.push({ section, rows: runSection(file, args) });
}
const all = results.flatMap(({ section, rows }) => rows.map((r) => ({ ...r, metric: `${section}: ${r.metric}` })));
printTable('npm run bench', all);

const m = machine();
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}-${m.rev}.json`;
writeFileSync(file, JSON.stringify({ machine: m, at: new Date().toISOString(), results }, null, 2));
console.log(`\nwritten to ${file}`);
exitOnMissedTargets(all);
