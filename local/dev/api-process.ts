// The api/ functions in processes of their own (startApiServer), as Vercel runs them on machines
// apart from Stripe's and Instant's, several at once: the benches start them with spawnApiProcess
// so the handlers do not share a core with the Stripe stand-in that calls them. `workers` > 1
// runs that many processes behind one port (node:cluster hands each new connection to the next
// worker, as a load balancer spreads them over instances). Configuration comes from the
// environment they are started with; the first process prints the address as one JSON line when
// every worker listens, and all exit on SIGTERM or when the parent goes away.
import cluster from 'node:cluster';
import { spawnServerProcess } from '../instant/spawn.ts';
import { startApiServer } from './api-server.ts';

export type SpawnedApi = { url: string; close(): Promise<void> };

/** Starts this file as a child process (with `workers` processes) serving the api/ functions on a free port. */
export function spawnApiProcess({ workers = 1 } = {}): Promise<SpawnedApi> {
  return spawnServerProcess<{ url: string }>('api functions', new URL(import.meta.url), {
    API_PROCESS_WORKERS: String(workers),
  });
}

const workers = Number(process.env.API_PROCESS_WORKERS ?? 0);

if (workers > 1 && cluster.isPrimary) {
  // Round-robin by the primary, also on platforms whose default leaves it to the OS.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const forked = Array.from({ length: workers }, () => cluster.fork());
  const urls = await Promise.all(
    forked.map(
      (w) =>
        new Promise<string>((resolve, reject) => {
          w.once('message', (m: { url: string }) => resolve(m.url));
          w.once('exit', (code) => reject(new Error(`an api worker exited with code ${code} before it listened`)));
        }),
    ),
  );
  console.log(JSON.stringify({ url: urls[0] }));
  let stopping = false;
  // SIGTERM and the parent's stdin closing can both arrive: stop once.
  const stop = () => {
    if (stopping) return;
    stopping = true;
    let running = forked.filter((w) => !w.isDead()).length;
    if (!running) process.exit(0);
    cluster.on('exit', () => --running || process.exit(0));
    for (const w of forked) w.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
} else if (workers >= 1) {
  // A deployment runs compiled JavaScript without source-map support; tsx turns it on, and then
  // every stack the Stripe SDK captures per request (StripeResource) is mapped back to TypeScript.
  process.setSourceMapsEnabled(false);
  // Every worker listens on the same port: in a cluster, port 0 is one port chosen by the primary.
  const api = await startApiServer({ preload: true });
  const stop = () => void api.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  if (cluster.isWorker) {
    process.on('disconnect', stop); // the primary went away
    process.send!({ url: api.url });
  } else {
    console.log(JSON.stringify({ url: api.url }));
    process.stdin.on('end', stop);
    process.stdin.resume();
  }
}
