// readCapped against real sockets: a raw node:http server on port 0, fed by raw clients, so the
// chunking, the cap and a client that goes away mid-body are the network's, not a stub's.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyAbortedError, BodyTooLargeError, readCapped } from './read-capped.ts';

const CAP = 64 * 1024;

let server: Server;
let port: number;
/** What each request's read came to, by the request's `x-case` header. */
const outcomes = new Map<string, Promise<Buffer>>();

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const read = readCapped(req, CAP);
    outcomes.set(String(req.headers['x-case']), read);
    read.then(
      (body) => res.writeHead(200).end(body),
      (err: unknown) => res.writeHead(err instanceof BodyTooLargeError ? 413 : 400).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** POSTs `parts` as separate writes (chunked), each flushed before the next, and collects the answer. */
function post(id: string, parts: Buffer[]): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', headers: { 'x-case': id } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    const write = (i: number): void => {
      if (i === parts.length) return void req.end();
      req.write(parts[i], () => setImmediate(write, i + 1));
    };
    write(0);
  });
}

describe('readCapped', () => {
  it('accepts a body of exactly the cap, byte for byte', async () => {
    const body = Buffer.alloc(CAP, 7);
    const res = await post('exact', [body.subarray(0, 1000), body.subarray(1000)]);
    expect(res.status).toBe(200);
    expect(res.body.equals(body)).toBe(true);
    expect((await outcomes.get('exact')!).length).toBe(CAP);
  });

  it('refuses one byte past the cap with BodyTooLargeError, and the 413 reaches the client', async () => {
    const res = await post('over', [Buffer.alloc(CAP), Buffer.alloc(1)]);
    expect(res.status).toBe(413);
    expect(res.body.toString()).toContain(`larger than ${CAP} bytes`);
    await expect(outcomes.get('over')).rejects.toBeInstanceOf(BodyTooLargeError);
    await expect(outcomes.get('over')).rejects.toMatchObject({ maxBytes: CAP });
  });

  it('keeps a multi-chunk body intact, a multi-byte character split across chunks included', async () => {
    const text = 'prix: 12,50 € — 😀 ok';
    const bytes = Buffer.from(text, 'utf8');
    const euro = bytes.indexOf(Buffer.from('€'));
    const emoji = bytes.indexOf(Buffer.from('😀'));
    // Cuts inside the 3-byte euro sign and inside the 4-byte emoji.
    const parts = [bytes.subarray(0, euro + 1), bytes.subarray(euro + 1, emoji + 2), bytes.subarray(emoji + 2)];
    const res = await post('utf8', parts);
    expect(res.status).toBe(200);
    expect((await outcomes.get('utf8')!).toString('utf8')).toBe(text);
  });

  it('rejects with BodyAbortedError, not a hang, when the client goes away mid-body', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nx-case: aborted\r\ncontent-length: 1000\r\n\r\n' + 'a'.repeat(10));
    // The server has started reading once the request is registered; then the client vanishes.
    while (!outcomes.has('aborted')) await new Promise((r) => setImmediate(r));
    socket.destroy();
    await expect(outcomes.get('aborted')).rejects.toBeInstanceOf(BodyAbortedError);
  });

  it('reads an empty body as an empty buffer', async () => {
    const res = await post('empty', []);
    expect(res.status).toBe(200);
    expect((await outcomes.get('empty')!).length).toBe(0);
  });
});
