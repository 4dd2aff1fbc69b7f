// The benches' own requests to the stand-ins: raw node:http over a keep-alive agent, because
// fetch costs several times more CPU a request and the benches count every process's CPU.
import { Agent, request } from 'node:http';

export type RawAnswer = { status: number; text: string };

const shared = new Agent({ keepAlive: true, maxSockets: 16 });

/** One request; resolves with the status and the whole answer once it has been read. */
export function rawRequest(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
    agent = shared,
  }: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const withLength = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = request(url, { method, headers: withLength, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON POST. */
export const rawPostJson = (url: string, value: unknown, headers: Record<string, string> = {}, agent?: Agent) =>
  rawRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
    agent,
  });
