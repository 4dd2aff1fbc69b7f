// Shared by the bench scripts: percentiles, the machine line, and a printed table.
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}

export function machine() {
  let rev = 'unknown';
  try {
    rev = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    /* not a checkout */
  }
  return { cores: cpus().length, node: process.version, rev };
}

/** `ok: false` marks a row whose target is missed: the bench prints it and exits non-zero. */
export type Row = { metric: string; value: string; target?: string; ok?: boolean };

export function printTable(title: string, rows: Row[]) {
  const m = machine();
  console.log(`\n${title}  (cores ${m.cores}, node ${m.node}, rev ${m.rev})`);
  const w = Math.max(...rows.map((r) => r.metric.length), 6);
  const v = Math.max(...rows.map((r) => r.value.length), 5);
  console.log(`${'metric'.padEnd(w)}  ${'value'.padStart(v)}  target`);
  const mark = (r: Row) => (r.ok === undefined ? '' : r.ok ? ' ✔' : ' ✘');
  for (const r of rows) console.log(`${r.metric.padEnd(w)}  ${r.value.padStart(v)}  ${r.target ?? ''}${mark(r)}`);
}

/** Exits 1 after the table when a row missed its target. */
export function exitOnMissedTargets(rows: Row[]) {
  const missed = rows.filter((r) => r.ok === false);
  if (!missed.length) return;
  console.error(`\nmissed: ${missed.map((r) => r.metric).join('; ')}`);
  process.exitCode = 1;
}

export const ms = (x: number) => `${x.toFixed(2)} ms`;
