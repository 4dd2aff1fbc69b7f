// A raw runtime WebSocket for tests that speak the protocol frame by frame: it collects every
// frame the server sends, and `next(pred)` resolves with the first one (seen or still to come)
// that matches. Strings are sent as they are, so malformed frames can be sent too.
import { WebSocket } from 'ws';

export async function frameSocket(server: { url: string; appId: string }) {
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/runtime/session?app_id=${server.appId}`);
  const inbox: any[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    inbox.push(JSON.parse(d.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise((r) => ws.once('open', r));
  const next = async (pred: (m: any) => boolean) => {
    for (;;) {
      const hit = inbox.find(pred);
      if (hit) return hit;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { ws, inbox, next, send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}
