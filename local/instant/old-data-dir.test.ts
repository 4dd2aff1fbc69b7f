// A data dir written before schema pushes were recorded names attributes no pushed schema has:
// the process says what to do with it and exits, rather than crashing with a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DurableLog } from './durable-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'instant-old-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('an old data dir gets one line naming the fix and exit code 1', async () => {
  const { log } = await DurableLog.open(join(dir, 'log.jsonl'), () => {});
  const appId = '5d2f7c1e-9a41-4a67-9c1b-2f3c4d5e6f70';
  await log.append({ k: 'app', main: true, config: { id: appId, title: 'old', adminToken: 'old-token' } });
  const e = '0b6e4c8a-1f2d-4e3c-8a9b-7c6d5e4f3a21';
  const attr = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b'; // declared by no pushed schema
  await log.append({ k: 'tx', app: appId, txId: 1, changes: [['set', 'wallpapers', e, attr, 'x', 1]] });
  await log.close();
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL('./child-process.ts', import.meta.url).pathname],
    {
      env: { ...process.env, INSTANT_LOCAL_ARGS: JSON.stringify({ dataDir: dir }) },
      input: '',
      encoding: 'utf8',
    },
  );
  expect(child.status).toBe(1);
  expect(child.stderr).toContain('holds data written before schema pushes were recorded; move it away');
  expect(child.stderr).not.toMatch(/\n\s+at /); // no stack trace
});
