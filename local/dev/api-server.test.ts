// The plain api/ server hands functions a buffered body, as Vercel does, and refuses one past
// Vercel's 4.5 MB limit with 413 before any function runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiServer } from './api-server.ts';
import { MAX_REQUEST_BYTES } from './node-web-adapter.ts';

let dir: string;
let api: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'api-server-'));
  writeFileSync(
    join(dir, 'echo.ts'),
    'export const POST = async (req: Request) => Response.json({ bytes: (await req.arrayBuffer()).byteLength });\n',
  );
  api = await startApiServer({ apiDir: dir });
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: Uint8Array<ArrayBuffer>) => fetch(`${api.url}/api/echo`, { method: 'POST', body });

it('gives a function the whole body, byte for byte, up to the limit', async () => {
  const res = await post(new Uint8Array(MAX_REQUEST_BYTES));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ bytes: MAX_REQUEST_BYTES });
});

it('answers 413 naming the limit past it, and the server goes on answering', async () => {
  const res = await post(new Uint8Array(MAX_REQUEST_BYTES + 1));
  expect(res.status).toBe(413);
  expect((await res.json()).error).toMatch(/larger than 4718592 bytes/);
  expect(await (await post(new Uint8Array(3))).json()).toEqual({ bytes: 3 });
});
