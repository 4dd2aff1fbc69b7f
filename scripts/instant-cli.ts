/**
 * `npm run instant:push [-- schema|perms]` and `npm run instant:pull [-- schema|perms]`: Instant's
 * own CLI (instant-cli, pinned in package.json) with the shop's settings, non-interactively.
 *
 * The shop's names map onto the CLI's here, and only here: INSTANT_API_URI -> INSTANT_CLI_API_URI
 * (default: Instant's cloud), INSTANT_APP_ID, INSTANT_ADMIN_TOKEN -> INSTANT_APP_ADMIN_TOKEN. They
 * come from the environment, else `.env.local`, else `.data/local.json` (the running `npm run dev`
 * stack, so a push reaches the local Instant server with no setup). The CLI's own names, when set,
 * win.
 */
import { pathToFileURL } from 'node:url';
import { cliArgs, UsageError } from '../local/cli-args.ts';
import { runInstantCli, type CliTarget } from '../local/instant/instant-cli-runner.ts';
import { loadOpsEnv } from './ops.ts';

const USAGE = 'usage: npm run instant:push [-- schema|perms|all] | npm run instant:pull [-- schema|perms|all]';
const WHAT = new Set(['schema', 'perms', 'all']);

/** The app the CLI talks to, from the shop's settings (and the CLI's own names, which win). */
export function cliTarget(env: Record<string, string | undefined>): CliTarget {
  const appId = env.INSTANT_APP_ID;
  const adminToken = env.INSTANT_APP_ADMIN_TOKEN || env.INSTANT_ADMIN_TOKEN;
  if (!appId || !adminToken) {
    throw new Error(
      'Set INSTANT_APP_ID and INSTANT_ADMIN_TOKEN (environment or .env.local), or start `npm run dev` for the local server.',
    );
  }
  return { url: env.INSTANT_CLI_API_URI || env.INSTANT_API_URI || 'https://api.instantdb.com', appId, adminToken };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = cliArgs({ usage: USAGE, options: {}, positionals: true }, ({ positionals }) => {
    const [command, what = 'all', ...rest] = positionals;
    if (command !== 'push' && command !== 'pull') throw new UsageError(`unknown command "${command ?? ''}"`);
    if (!WHAT.has(what) || rest.length)
      throw new UsageError(`expected schema, perms or all, got "${[what, ...rest].join(' ')}"`);
    return [command, what];
  });
  let target: CliTarget;
  try {
    loadOpsEnv();
    target = cliTarget(process.env);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  console.log(`instant-cli ${args.join(' ')} -> ${target.url} (app ${target.appId})`);
  const res = await runInstantCli(args, { cwd: process.cwd(), target, onOutput: (s) => process.stdout.write(s) });
  process.exit(res.code);
}
