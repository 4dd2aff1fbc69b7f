/**
 * `npm run doctor [-- --live-test]`: checks a deployment against its configuration and prints one
 * line per check (✔, ⚠ to check by hand, ✘ with the fix); exits 1 on any ✘. Settings come from
 * the environment, else `.env.local`, else the running `npm run dev` stack (`.data/local.json`).
 * It changes nothing, except that `--live-test` (test-mode keys only) makes one test purchase
 * through the shop and refunds it.
 */
import { pathToFileURL } from 'node:url';
import { cliArgs } from '../local/cli-args.ts';
import { formatReport, runDoctor } from './doctor/run.ts';
import { loadDoctorSettings } from './doctor/settings.ts';

export const USAGE = `usage: npm run doctor [-- --live-test]

Checks the deployment configured in the environment, .env.local, or the running
\`npm run dev\` stack: variables, Instant (schema, rules, wallpapers, magic codes),
Stripe (webhook endpoint, prices, payment links) and Resend (key, sender domain).

  --live-test   also buy the cheapest product through the shop (test-mode keys
                only), see it unlocked, refund it and see access revoked
  -h, --help    show this help

Environment: DOCTOR_TIMEOUT_MS, how long each service may take to answer (default 15000).
Exits 1 when a check fails (✘), 2 on a usage mistake; ⚠ lines are to check by hand.`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = cliArgs({ usage: USAGE, options: { 'live-test': { type: 'boolean' } } });
  const settings = loadDoctorSettings();
  if (settings.source === 'local.json')
    console.log('Settings from .data/local.json (the running `npm run dev` stack).\n');
  const checks = await runDoctor(settings.env, { localInstant: settings.localInstant, liveTest: values['live-test'] });
  console.log(formatReport(checks));
  process.exit(checks.some((c) => c.status === 'fail') ? 1 : 0);
}
