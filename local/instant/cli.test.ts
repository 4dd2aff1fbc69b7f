// `npm run instant:local -- --port 0 --memory` serves on 127.0.0.1 and prints its URL, app id and
// admin token when ready; the admin SDK works against what it printed.
import { expect, it } from 'vitest';
import { adminFor } from '../../tests/support/instant-clients.ts';
import { startCli } from './cli-child.test-support.ts';

const started = startCli();

it('prints its address, app id and admin token, which the admin SDK can use', async () => {
  const printed = await started;
  expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(printed.data).toMatch(/in memory/);
  const admin = adminFor({ url: printed.url, appId: printed['app id'], adminToken: printed['admin token'] });
  const { wallpapers } = await admin.query({ wallpapers: {} });
  expect(wallpapers).toEqual([]);
});
