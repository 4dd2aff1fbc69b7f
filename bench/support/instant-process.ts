// Child process for spawn-instant.ts: starts instant-local on a free port and prints its address.
import { startInstantLocal } from '../../local/instant/server.ts';

const args = JSON.parse(process.env.BENCH_INSTANT_ARGS ?? '{}');
const server = await startInstantLocal({ memory: !args.dataDir, dataDir: args.dataDir, schema: args.schema, rules: args.rules });
console.log(JSON.stringify({ url: server.url, appId: server.appId, adminToken: server.adminToken }));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
