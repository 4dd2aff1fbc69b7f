// Every script a user runs answers --help / -h with its usage and exits 0, and prints the usage
// and exits 2 for an unknown flag or command, as CLIs do, before touching any server or setting.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

type Run = { code: number | null; stdout: string; stderr: string };

function run(script: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    // An empty environment for settings: nothing to connect to, so a script that went past its
    // argument check would fail differently (or hang and time out) rather than pass.
    const env = { PATH: process.env.PATH, NO_COLOR: '1' };
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SCRIPTS = [
  { name: 'ops', script: 'scripts/ops.ts', usage: 'usage: npm run ops', command: 'frobnicate' },
  { name: 'stripe:local', script: 'local/stripe/cli.ts', usage: 'usage: npm run stripe:local', command: 'frobnicate' },
  {
    name: 'instant:local',
    script: 'local/instant/cli.ts',
    usage: 'usage: npm run instant:local',
    command: 'frobnicate',
  },
  {
    name: 'stripe:setup',
    script: 'scripts/stripe-setup.ts',
    usage: 'usage: npm run stripe:setup',
    command: 'frobnicate',
  },
  { name: 'seed', script: 'scripts/seed.ts', usage: 'usage: npm run seed', command: 'frobnicate' },
  {
    name: 'migrate:ledger',
    script: 'scripts/migrate-ledger.ts',
    usage: 'usage: npm run migrate:ledger',
    command: 'frobnicate',
  },
];

describe.each(SCRIPTS)('npm run $name', ({ script, usage, command }) => {
  it('prints its usage for --help and -h and exits 0', async () => {
    const [long, short] = await Promise.all([run(script, ['--help']), run(script, ['-h'])]);
    for (const r of [long, short]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(usage);
      expect(r.stderr).toBe('');
    }
  });

  it('prints the problem and its usage for an unknown flag or command and exits 2', async () => {
    const [flag, unknown] = await Promise.all([run(script, ['--no-such-flag']), run(script, [command])]);
    for (const r of [flag, unknown]) {
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(usage);
      expect(r.stdout).toBe('');
    }
    expect(flag.stderr).toContain('--no-such-flag');
    expect(unknown.stderr).toContain(command);
  });
});

describe('usage mistakes of meaning', () => {
  it.each([
    ['scripts/ops.ts', ['find'], 'find needs an email'],
    ['scripts/ops.ts', [], 'missing command'],
    ['scripts/ops.ts', ['overview', '--tz', 'Mars/Olympus'], '--tz must be an IANA time zone name'],
    ['local/stripe/cli.ts', ['pay'], 'pay needs a checkout session id'],
    ['local/stripe/cli.ts', ['events', '--limit', 'ten'], '--limit must be a whole number'],
    ['local/instant/cli.ts', ['--port', 'http'], '--port must be a port number'],
    ['scripts/stripe-setup.ts', [], 'Pass the shop URL with --url'],
  ])('%s %j exits 2 naming the fix', async (script, args, message) => {
    const r = await run(script, args);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('usage: npm run');
  });
});
