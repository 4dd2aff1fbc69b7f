// The project's instant.schema.ts and instant.perms.ts: their names (push-on-change.ts pushes them
// with instant-cli), and a loader in the JSON shape the server takes, for tests that start
// instant-local in-process with a fixed schema and rules.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { SchemaJson } from './attrs.ts';
import type { RuleSet } from './permissions.ts';

export const SCHEMA_FILE = 'instant.schema.ts';
export const PERMS_FILE = 'instant.perms.ts';

let generation = 0;

export async function loadProjectConfig(root = process.cwd()): Promise<{ schema: SchemaJson; rules: RuleSet }> {
  generation++;
  const load = async (file: string) => {
    const mod = await import(`${pathToFileURL(resolve(root, file)).href}?v=${generation}`);
    return mod.default;
  };
  const [schema, rules] = await Promise.all([load(SCHEMA_FILE), load(PERMS_FILE)]);
  return { schema: JSON.parse(JSON.stringify(schema)), rules: JSON.parse(JSON.stringify(rules)) };
}
