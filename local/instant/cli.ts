// npm run instant:local -- --port <n> [--data-dir <dir>] [--memory]
// Serves on 127.0.0.1; instant-cli pushes the project's schema and rules to it on start and on change.
import { cliArgs, UsageError } from '../cli-args.ts';
import { pushProjectOnChange } from './push-on-change.ts';
import { startInstantLocal } from './server.ts';
import { newInstantFaults } from './faults.ts';

const INSTANT_CLI = {
  usage: `usage: npm run instant:local -- [--port n] [--data-dir dir] [--memory] [--faults JSON] [--seed S]

Serves on 127.0.0.1 and pushes the project's schema and rules (instant.schema.ts,
instant.perms.ts) to it with instant-cli, on start and whenever a file changes.
  --port n          port to listen on (default 8888; 0 picks a free one)
  --data-dir dir    where the data is kept (default .data/instant)
  --memory          keep nothing on disk
  --faults JSON     inject faults into the main app (README: Faults), e.g.
                    '{"seed":1,"rules":[{"path":"/admin/transact","rates":{"lost_answer":0.1}}]}'
  --seed S          ids of users made by email derived from S (random by default), so a
                    fault seed hits the same requests every run`,
  options: {
    port: { type: 'string', default: '8888' },
    'data-dir': { type: 'string', default: '.data/instant' },
    memory: { type: 'boolean', default: false },
    faults: { type: 'string' },
    seed: { type: 'string' },
  },
} as const;

const { values, port, faults } = cliArgs(INSTANT_CLI, ({ values }) => {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number (0-65535), got "${values.port}"`);
  let faults: unknown;
  try {
    faults = values.faults ? JSON.parse(values.faults) : undefined;
  } catch {
    throw new UsageError(
      '--faults must be JSON, e.g. \'{"rules":[{"path":"/admin/transact","rates":{"refuse":0.1}}]}\'',
    );
  }
  const checked = faults === undefined ? null : newInstantFaults().schema.safeParse(faults);
  if (checked && !checked.success)
    throw new UsageError(
      `--faults: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return { values, port, faults: checked?.data };
});

const server = await startInstantLocal({
  port,
  dataDir: values['data-dir'],
  memory: values.memory,
  faults,
  seed: values.seed,
});
console.log(`instant-local ready
  url:         ${server.url}
  app id:      ${server.appId}
  admin token: ${server.adminToken}
  data:        ${values.memory ? 'in memory (nothing kept)' : values['data-dir']}`);

const pusher = pushProjectOnChange(server);

const stop = () => {
  pusher.close();
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
