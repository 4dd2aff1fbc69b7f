// Runs Instant's own CLI (instant-cli from node_modules, pinned with the SDKs) against one app,
// non-interactively: `npm run instant:push`, the dev stack and the tests all push this way.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type CliTarget = { url: string; appId: string; adminToken: string };
export type CliResult = { code: number; stdout: string; stderr: string; output: string };

/** The CLI's entry point in the repo's node_modules (its package exports no path to it). */
export const INSTANT_CLI_BIN = fileURLToPath(new URL('../../node_modules/instant-cli/bin/index.js', import.meta.url));

/** What the CLI reads its app and credentials from; these win over anything inherited. */
export function cliEnv(target: CliTarget, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  // A personal token in the environment would win over the admin token (instant-cli's order).
  delete env.INSTANT_CLI_AUTH_TOKEN;
  return {
    ...env,
    INSTANT_CLI_API_URI: target.url,
    INSTANT_APP_ID: target.appId,
    INSTANT_APP_ADMIN_TOKEN: target.adminToken,
  };
}

/** Runs `instant-cli <args> --yes` in `cwd` (where instant.schema.ts and instant.perms.ts are). */
export function runInstantCli(
  args: string[],
  opts: { cwd: string; target: CliTarget; env?: NodeJS.ProcessEnv; onOutput?: (chunk: string) => void },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [INSTANT_CLI_BIN, ...args, '--yes'], {
      cwd: opts.cwd,
      env: cliEnv(opts.target, opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    const take = (to: 'out' | 'err') => (d: Buffer) => {
      const text = d.toString();
      if (to === 'out') stdout += text;
      else stderr += text;
      output += text;
      opts.onOutput?.(text);
    };
    child.stdout.on('data', take('out'));
    child.stderr.on('data', take('err'));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr, output: plain(output) }));
  });
}

/** The CLI's output without its terminal colours and cursor moves. */
export function plain(s: string): string {
  return s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
