// CPU time used by this process and every process it started, by role (read from Linux's /proc;
// empty elsewhere), so a bench can say what one delivery costs summed over all processes, not
// only in the one it runs in: on a 2-core machine that sum, not latency, bounds throughput.
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** What a process is, from its command line. */
function roleOf(pid: number, cmdline: string): string {
  if (pid === process.pid) return 'bench + Stripe stand-in + mailbox';
  if (cmdline.includes('instant/child-process')) return 'Instant server';
  if (cmdline.includes('dev/api-process')) return 'handlers';
  return 'other'; // tsx's esbuild service, instant-cli pushes
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((t) => (read(`/proc/${pid}/task/${t}/children`) ?? '').split(/\s+/).filter(Boolean).map(Number));
}

export type CpuReading = { byRole: Record<string, number>; byProcess: Map<number, number> };

/** CPU ms (user + system) so far of this process and its descendants, by role and by process. */
export function readCpu(): CpuReading {
  const byRole: Record<string, number> = {};
  const byProcess = new Map<number, number>();
  const todo = [process.pid];
  while (todo.length) {
    const pid = todo.pop()!;
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const role = roleOf(pid, (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' '));
    byRole[role] = (byRole[role] ?? 0) + ms;
    byProcess.set(pid, ms);
    todo.push(...childrenOf(pid));
  }
  return { byRole, byProcess };
}

/** CPU ms used between two readings: by role, and by the busiest single process. */
export function cpuBetween(before: CpuReading, after: CpuReading): { byRole: Record<string, number>; busiest: number } {
  const byRole = Object.fromEntries(Object.entries(after.byRole).map(([k, v]) => [k, v - (before.byRole[k] ?? 0)]));
  const busiest = Math.max(0, ...[...after.byProcess].map(([pid, v]) => v - (before.byProcess.get(pid) ?? 0)));
  return { byRole, busiest };
}

/**
 * For profiling: runs `work` and, when BENCH_MARKS names a file, appends the window's bounds on the
 * monotonic clock (µs), which the `--cpu-prof` profiles of every process share
 * (LOCAL_CHILD_NODE_FLAGS profiles the child processes).
 */
export async function markWindow<T>(work: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint() / 1000n;
  const value = await work();
  if (process.env.BENCH_MARKS) appendFileSync(process.env.BENCH_MARKS, `${start} ${process.hrtime.bigint() / 1000n}\n`);
  return value;
}
