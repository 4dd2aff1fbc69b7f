// The dev adapter hands api/ functions the caller's address the way Vercel does: from the
// connection, in x-forwarded-for, whatever forwarding headers the caller sent.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clientAddress } from '../../api/_lib/platform/http.ts';
import { requestFrom } from '../../tests/support/from-address.ts';
import { sendWebResponse, toWebRequest } from './node-web-adapter.ts';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer(async (req, res) => {
    const request = await toWebRequest(req, 'http://x');
    const seen = Object.fromEntries(
      ['x-forwarded-for', 'x-real-ip', 'x-vercel-forwarded-for', 'forwarded'].map((h) => [h, request.headers.get(h)]),
    );
    await sendWebResponse(res, Response.json({ address: clientAddress(request), seen }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it('keys on the socket address and drops the forwarding headers a caller sends', async () => {
  const spoofed = {
    'x-forwarded-for': '203.0.113.9, 10.0.0.1',
    'x-real-ip': '203.0.113.10',
    'x-vercel-forwarded-for': '203.0.113.11',
    forwarded: 'for=203.0.113.12',
  };
  for (const from of ['127.0.0.21', '127.0.0.22']) {
    const plain = JSON.parse((await requestFrom(from, url)).text);
    const lying = JSON.parse((await requestFrom(from, url, { headers: spoofed })).text);
    expect(plain.address).toBe(from);
    expect(lying).toEqual({
      address: from,
      seen: { 'x-forwarded-for': from, 'x-real-ip': null, 'x-vercel-forwarded-for': null, forwarded: null },
    });
  }
});

it('never falls back to x-real-ip when the platform set no address', () => {
  expect(clientAddress(new Request('http://x', { headers: { 'x-real-ip': '203.0.113.10' } }))).toBe('unknown');
});
