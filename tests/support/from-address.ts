// HTTP requests from a chosen loopback source address (127.0.0.x), so that tests can be many
// clients without spoofing a header: the server sees each as a different socket address.
import { request } from 'node:http';

export type Answer = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export const postJsonFrom = (localAddress: string, url: string, body: unknown, headers: Record<string, string> = {}) =>
  requestFrom(localAddress, url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
