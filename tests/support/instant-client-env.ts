// Makes Node look enough like a browser for the unmodified @instantdb/core client:
// a WebSocket (from `ws`), IndexedDB (fake-indexeddb) and a `window` to listen on.
import 'fake-indexeddb/auto';
import { WebSocket } from 'ws';

const g = globalThis as Record<string, unknown>;
g.WebSocket ??= WebSocket;
g.navigator ??= { onLine: true, userAgent: 'node' };
if (!g.window) {
  const target = new EventTarget();
  g.window = Object.assign(globalThis, {
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
  });
}
