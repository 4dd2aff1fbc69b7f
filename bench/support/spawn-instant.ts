// Runs instant-local in its own process (as a real deployment would), so that a bench's load
// generator does not share the server's event loop. Resolves once the server prints its address.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type SpawnedInstant = { url: string; appId: string; adminToken: string; close(): Promise<void> };

export async function spawnInstant(args: { dataDir?: string; schema: unknown; rules?: unknown }): Promise<SpawnedInstant> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./instant-process.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_INSTANT_ARGS: JSON.stringify(args) },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`instant-local exited with ${code}`)));
  });
  const info = JSON.parse(line);
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
