// Commits survive a restart; a torn last record is dropped with a warning; damage elsewhere is refused.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { id } from '@instantdb/core';
import { adminFor } from '../../tests/support/instant-clients.ts';
import { startInstantLocal } from './server.ts';
import { testRules, testSchema } from './fixtures.test-schema.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'instant-local-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const schema = JSON.parse(JSON.stringify(testSchema));
const start = (dataDir: string) => startInstantLocal({ dataDir, schema, rules: testRules });

describe('durable log', () => {
  it('keeps every acknowledged transaction, user and refresh token across a restart', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const admin = adminFor(first);
    const ids = Array.from({ length: 20 }, () => id());
    await Promise.all(ids.map((x, n) => admin.transact(admin.tx.items[x].update({ name: `n${n}`, order: n }))));
    const token = await admin.auth.createToken({ email: 'Keep@Example.com ' });
    await first.close();

    const second = await start(dir);
    expect(second.appId).toBe(first.appId);
    expect(second.adminToken).toBe(first.adminToken);
    const again = adminFor(second);
    const items = (await again.query({ items: {} })).items;
    expect(items.map((x: any) => x.id).sort()).toEqual([...ids].sort());
    const user = await again.auth.verifyToken(token);
    expect(user.email).toBe('keep@example.com');
    await second.close();
  });

  it('keeps attributes the admin SDK made on the fly (a namespace no schema declares) across a restart', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const raw = adminFor(first); // no schema: the server infers the new namespace's attributes
    const note = id();
    await raw.transact(raw.tx.scribbles[note].update({ text: 'inferred' }));
    await first.close();
    const second = await start(dir);
    expect((await adminFor(second).query({ scribbles: {} })).scribbles).toEqual([{ id: note, text: 'inferred' }]);
    await second.close();
  });

  it('drops a torn last record with a warning and serves what came before it', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const admin = adminFor(first);
    const kept = id();
    await admin.transact(admin.tx.items[kept].update({ name: 'kept', order: 1 }));
    await first.close();
    appendFileSync(join(dir, 'log.jsonl'), '0badc0de {"k":"tx","app":"x","txId":99,"chan');

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const second = await start(dir);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('torn last record'));
    warn.mockRestore();
    expect((await adminFor(second).query({ items: {} })).items.map((x: any) => x.id)).toEqual([kept]);
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8').endsWith('\n')).toBe(true);
    await second.close();
  });

  it('refuses to start on a log damaged before its end', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await adminFor(first).transact(adminFor(first).tx.items[id()].update({ name: 'x', order: 1 }));
    await first.close();
    const path = join(dir, 'log.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[0] = lines[0].replace('"k"', '"K"');
    writeFileSync(path, lines.join('\n'));
    await expect(start(dir)).rejects.toThrow(/damaged/);
  });

  it('keeps nothing on disk with memory: true', async () => {
    const dir = tempDir();
    const server = await startInstantLocal({ memory: true, dataDir: dir, schema, rules: testRules });
    await adminFor(server).transact(adminFor(server).tx.items[id()].update({ name: 'gone', order: 1 }));
    await server.close();
    const next = await startInstantLocal({ memory: true, dataDir: dir, schema, rules: testRules });
    expect((await adminFor(next).query({ items: {} })).items).toEqual([]);
    await next.close();
  });
});
