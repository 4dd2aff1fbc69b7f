// The webhook sender closes a kept-alive connection it has left idle before the endpoint gives
// up on it, so that a delivery never starts on a connection the endpoint is closing (it would
// show as a failed attempt plus a retry).
import { EventEmitter, once } from 'node:events';
import { Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultWebhookOptions, WebhookDispatcher } from './webhooks.ts';

type Conn = { closedByClient: boolean; stale: boolean };

/**
 * An endpoint speaking just enough HTTP/1.1: each request answered 200 on a kept-alive
 * connection (no `Keep-Alive` hint). A connection idle for `keepAliveMs` is given up, as by a
 * server closing it at that instant with its FIN still on the way: the next request written to
 * it is reset.
 */
function startEndpoint(keepAliveMs: number) {
  const events = new EventEmitter<{ close: [Conn]; stale: [Conn] }>();
  const conns: Conn[] = [];
  const server: Server = createServer((socket: Socket) => {
    const conn: Conn = { closedByClient: false, stale: false };
    conns.push(conn);
    let pending = Buffer.alloc(0);
    let idle: NodeJS.Timeout | undefined;
    socket.on('data', (data: Buffer) => {
      if (conn.stale) return void socket.resetAndDestroy();
      clearTimeout(idle);
      pending = Buffer.concat([pending, data]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(pending.subarray(0, end).toString())?.[1] ?? 0);
      if (pending.length < end + 4 + length) return;
      pending = pending.subarray(end + 4 + length);
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
      idle = setTimeout(() => {
        conn.stale = true;
        events.emit('stale', conn);
      }, keepAliveMs);
    });
    socket.on('end', () => {
      conn.closedByClient = !conn.stale;
      socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(idle);
      events.emit('close', conn);
    });
  });
  return { server, conns, events };
}

let endpoint: ReturnType<typeof startEndpoint>;
let url: string;
beforeAll(async () => {
  endpoint = startEndpoint(500);
  await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(endpoint.server.address() as AddressInfo).port}/webhook`;
});
afterAll(() => new Promise<void>((resolve) => endpoint.server.close(() => resolve())));

it('closes an idle connection before the endpoint does: the next delivery succeeds on its first attempt', async () => {
  const dispatcher = new WebhookDispatcher({ idleSocketTimeoutMs: 50, retryBaseDelayMs: 10, maxAttempts: 3 });
  const deliver = async (eventId: string) => {
    dispatcher.send({
      eventId,
      eventType: 'customer.created',
      payload: () => '{}',
      target: { id: 'we_1', url, secret: 'whsec_test' },
      copy: 0,
      onSuccess: () => {},
    });
    await dispatcher.whenIdle();
    return dispatcher.log.filter((a) => a.event_id === eventId).map((a) => [a.attempt, a.status, a.error]);
  };
  try {
    expect(await deliver('evt_1')).toEqual([[1, 'succeeded', null]]);
    const [first] = endpoint.conns;
    // Whichever comes first: the sender hangs up the idle connection, or the endpoint gives it up.
    await Promise.race([once(endpoint.events, 'close'), once(endpoint.events, 'stale')]);
    expect(first).toEqual({ closedByClient: true, stale: false });

    expect(await deliver('evt_2')).toEqual([[1, 'succeeded', null]]);
    expect(endpoint.conns).toHaveLength(2);
  } finally {
    dispatcher.close();
  }
});

it('by default closes idle connections before a Node server would (its 5 s keep-alive)', () => {
  expect(defaultWebhookOptions.idleSocketTimeoutMs).toBeLessThan(new HttpServer().keepAliveTimeout);
  const dispatcher = new WebhookDispatcher();
  expect(dispatcher.options.idleSocketTimeoutMs).toBe(defaultWebhookOptions.idleSocketTimeoutMs);
  dispatcher.close();
});
