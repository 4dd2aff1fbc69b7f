// The benches' load shape: a fixed number of tasks, a fixed number of them running at any time.

/** Runs `task(0)` … `task(count - 1)`, `concurrency` at a time, each started as one finishes. */
export async function inFlight(count: number, concurrency: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
