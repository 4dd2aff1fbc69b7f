// `npm run instant:local -- --faults JSON` starts with those faults on the main app, readable
// through the fault API with the printed admin token; bad JSON is a usage error.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { cliArgv, startCli } from './cli-child.test-support.ts';

const plan = { seed: 3, rules: [{ path: '/admin/transact', match: 'nothing-sends-this', rates: { refuse: 1 } }] };
const started = startCli('--faults', JSON.stringify(plan));

it('starts with the faults given, behind the admin token', async () => {
  const printed = await started;
  const res = await fetch(`${printed.url}/_local/faults`, {
    headers: { authorization: `Bearer ${printed['admin token']}`, 'app-id': printed['app id'] },
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { rules: unknown }).rules).toEqual(plan.rules);
  expect(
    (await fetch(`${printed.url}/_local/faults`, { headers: { 'app-id': printed['app id'] } })).status,
  ).toBeGreaterThanOrEqual(400);
});

it('refuses --faults that is not JSON', async () => {
  const run = promisify(execFile);
  await expect(run(process.execPath, cliArgv('--port', '0', '--memory', '--faults', '{nope'))).rejects.toMatchObject({
    stderr: expect.stringContaining('--faults must be JSON'),
  });
  await expect(
    run(process.execPath, cliArgv('--memory', '--faults', '{"rules":[{"rates":{"refuse":2}}]}')),
  ).rejects.toMatchObject({
    stderr: expect.stringContaining('--faults: rules.0.rates.refuse'),
  });
});
