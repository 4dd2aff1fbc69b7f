// Starts instant-local in its own process, as a real Instant server is one: `npm run dev`, the
// browser tests and the benches talk to it over the network only, and it gets a core of its own.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ChildArgs } from './child-process.ts';

export type SpawnedInstantLocal = { url: string; appId: string; adminToken: string; close(): Promise<void> };

export async function spawnInstantLocal(args: ChildArgs = {}): Promise<SpawnedInstantLocal> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./child-process.ts', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, INSTANT_LOCAL_ARGS: JSON.stringify(args) },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`instant-local exited with code ${code} before it was ready`)));
  });
  const info = JSON.parse(line) as Omit<SpawnedInstantLocal, 'close'>;
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
