// `npm run instant:local` as a child process for the CLI tests: started with the given flags, killed
// after the test file, and read until it has printed what a reader needs to reach it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll } from 'vitest';

/** The argv that runs local/instant/cli.ts with `args`. */
export const cliArgv = (...args: string[]) => ['--import', 'tsx', 'local/instant/cli.ts', ...args];

/** Starts the CLI on port 0 in memory with `args`; resolves with its printed url, app id, admin token and data. */
export async function startCli(...args: string[]): Promise<Record<'url' | 'app id' | 'admin token' | 'data', string>> {
  const child = spawn(process.execPath, cliArgv('--port', '0', '--memory', ...args), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  afterAll(() => {
    child.kill('SIGTERM');
  });
  const printed: Record<string, string> = {};
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^\s+(url|app id|admin token|data):\s+(.*)$/.exec(line);
    if (m) printed[m[1]] = m[2];
    if (printed.data) break;
  }
  return printed as Record<'url' | 'app id' | 'admin token' | 'data', string>;
}
