// npm run instant:local -- --port <n> [--data-dir <dir>] [--memory]
// Serves the project's schema and rules on 127.0.0.1, reloading them when the files change.
import { watch } from 'node:fs';
import { cliArgs, UsageError } from '../cli-args.ts';
import { loadProjectConfig, PERMS_FILE, SCHEMA_FILE } from './project-config.ts';
import { startInstantLocal } from './server.ts';

const INSTANT_CLI = {
  usage: `usage: npm run instant:local -- [--port n] [--data-dir dir] [--memory]

Serves the project's schema and rules (instant.schema.ts, instant.perms.ts) on 127.0.0.1,
reloading them when the files change.
  --port n          port to listen on (default 8888; 0 picks a free one)
  --data-dir dir    where the data is kept (default .data/instant)
  --memory          keep nothing on disk`,
  options: {
    port: { type: 'string', default: '8888' },
    'data-dir': { type: 'string', default: '.data/instant' },
    memory: { type: 'boolean', default: false },
  },
} as const;

const { values, port } = cliArgs(INSTANT_CLI, ({ values }) => {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got "${values.port}"`);
  return { values, port };
});

const { schema, rules } = await loadProjectConfig();
const server = await startInstantLocal({ port, dataDir: values['data-dir'], memory: values.memory, schema, rules });
console.log(`instant-local ready
  url:         ${server.url}
  app id:      ${server.appId}
  admin token: ${server.adminToken}
  data:        ${values.memory ? 'in memory (nothing kept)' : values['data-dir']}`);

for (const file of [SCHEMA_FILE, PERMS_FILE]) {
  watch(file, () => {
    loadProjectConfig()
      .then(({ schema, rules }) => {
        server.reload(schema, rules);
        console.log(`instant-local: reloaded ${SCHEMA_FILE} and ${PERMS_FILE}`);
      })
      .catch((e) => console.error(`instant-local: could not reload (${(e as Error).message}); keeping the previous rules`));
  });
}

const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
