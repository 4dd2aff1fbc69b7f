// `npm run instant:local -- --port 0 --memory` serves on 127.0.0.1 and prints its URL, app id and
// admin token when ready; the admin SDK works against what it printed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { adminFor } from '../../tests/support/instant-clients.ts';

const child = spawn(process.execPath, ['--import', 'tsx', 'local/instant/cli.ts', '--port', '0', '--memory'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
afterAll(() => {
  child.kill('SIGTERM');
});

it('prints its address, app id and admin token, which the admin SDK can use', async () => {
  const printed: Record<string, string> = {};
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^\s+(url|app id|admin token|data):\s+(.*)$/.exec(line);
    if (m) printed[m[1]] = m[2];
    if (printed.data) break;
  }
  expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(printed.data).toMatch(/in memory/);
  const admin = adminFor({ url: printed.url, appId: printed['app id'], adminToken: printed['admin token'] });
  const { wallpapers } = await admin.query({ wallpapers: {} });
  expect(wallpapers).toEqual([]);
});
