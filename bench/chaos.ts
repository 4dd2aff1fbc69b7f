// npm run bench:chaos [-- --seed N --guests N --packs N --plans N --spends N] — the chaos scenario
// of bench/support/chaos-run.ts: guest purchases, credit packs, plans, spends, refunds and disputes
// with faults on in every stand-in, then faults off, webhooks released and reconcile run. Prints
// faults injected by kind, deliveries and retries, time to converge and the exactness figures;
// writes JSON under bench/results/. One seed gives the same faults and figures every run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chaosFaults, runChaos, type ChaosOptions } from './support/chaos-run.ts';
import { exitOnMissedTargets, machine, printTable } from './support/report.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    guests: { type: 'string', default: '20' },
    packs: { type: 'string', default: '10' },
    plans: { type: 'string', default: '3' },
    spends: { type: 'string', default: '20' },
  },
});
const options: ChaosOptions = {
  seed: values.seed,
  guests: Number(values.guests),
  packs: Number(values.packs),
  plans: Number(values.plans),
  spends: Number(values.spends),
  watched: 3,
};

const result = await runChaos(options);
printTable(
  `bench:chaos (seed ${options.seed}; ${options.guests} guests, ${options.packs} packs, ${options.plans} plans, ${options.spends} spends)`,
  result.rows,
);
const m = machine();
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/chaos-${new Date().toISOString().replace(/[:.]/g, '-')}-${m.rev}.json`;
writeFileSync(
  file,
  JSON.stringify(
    {
      machine: m,
      at: new Date().toISOString(),
      options,
      faults: chaosFaults(options.seed),
      rows: result.rows,
      injectedFaults: result.faults,
    },
    null,
    2,
  ),
);
console.log(`\nwritten to ${file}`);
exitOnMissedTargets(result.rows);
// The Instant client SDK keeps timers after shutdown; nothing else is left to wait for.
process.exit();
