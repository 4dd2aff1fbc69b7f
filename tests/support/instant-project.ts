// A throwaway project directory for instant-cli, as upstream's createTestProject makes one: a
// package.json naming the pinned SDK, the repo's node_modules linked in, and the files given.
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** A new directory under the system's temp dir (the caller removes it). */
export async function instantProject(prefix: string, files: { schema?: string; perms?: string } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'cli-test', type: 'module', dependencies: { '@instantdb/core': '1.0.67' } }),
  );
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  if (files.schema) await writeFile(join(dir, 'instant.schema.ts'), files.schema);
  if (files.perms) await writeFile(join(dir, 'instant.perms.ts'), files.perms);
  return dir;
}
