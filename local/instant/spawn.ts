// Starts instant-local in its own process, as a real Instant server is one: `npm run dev`, the
// browser tests and the benches talk to it over the network only, and it gets a core of its own.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ChildArgs } from './child-process.ts';

export type SpawnedInstantLocal = { url: string; appId: string; adminToken: string; close(): Promise<void> };

export async function spawnInstantLocal(args: ChildArgs = {}): Promise<SpawnedInstantLocal> {
  return spawnServerProcess('instant-local', new URL('./child-process.ts', import.meta.url), {
    INSTANT_LOCAL_ARGS: JSON.stringify(args),
  });
}

/**
 * Runs a TypeScript entry point in a process of its own that prints one JSON line when ready
 * (what it prints is returned) and exits on SIGTERM or when this process goes away.
 * LOCAL_CHILD_NODE_FLAGS adds node flags to the child (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
 */
export async function spawnServerProcess<T extends object>(
  name: string,
  entry: URL,
  env: Record<string, string> = {},
): Promise<T & { close(): Promise<void> }> {
  const flags = process.env.LOCAL_CHILD_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', entry.pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  const info = JSON.parse(line) as T;
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
