// npm run instant:local -- --port <n> [--data-dir <dir>] [--memory]
// Serves on 127.0.0.1; instant-cli pushes the project's schema and rules to it on start and on change.
import { parseArgs } from 'node:util';
import { pushProjectOnChange } from './push-on-change.ts';
import { startInstantLocal } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8888' },
    'data-dir': { type: 'string', default: '.data/instant' },
    memory: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number (0-65535), got "${values.port}"`);
  process.exit(1);
}

const server = await startInstantLocal({ port, dataDir: values['data-dir'], memory: values.memory });
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
