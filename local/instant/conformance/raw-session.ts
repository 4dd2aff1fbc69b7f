// A raw runtime WebSocket session, as an attacker (or upstream's tests, which send tx-steps with
// attr ids) would drive it: no SDK in between. `attr(etype, label)` names attrs from `init-ok`.
import { id } from '@instantdb/core';
import WebSocket from 'ws';
import type { ThrowawayApp } from './harness.ts';

type Frame = Record<string, any>;
type Attr = { id: string; 'forward-identity': [string, string, string]; 'reverse-identity'?: [string, string, string] };

export type RawSession = {
  attrs: Attr[];
  /** The attr id of `etype.label` (forward name), from the attrs the server sent. */
  attr(etype: string, label: string): string;
  /** The steps that write entity `eid` of `etype` as the client SDK does: its `id` triple, then one per field. */
  entity(etype: string, eid: unknown, fields?: Record<string, unknown>, op?: string): unknown[][];
  /** Sends one `transact` frame; resolves with the server's answer (`transact-ok` or `error`). */
  transact(steps: unknown[]): Promise<Frame>;
  /** Sends one `add-query`; resolves with `add-query-ok` or `error`. */
  query(q: unknown): Promise<Frame>;
  close(): void;
};

/** An attribute as an `add-attr` step carries it: a blob of cardinality one, neither unique nor indexed, unless `extra` says otherwise. */
export function attrDef(etype: string, label: string, extra: Record<string, unknown> = {}) {
  return {
    id: id(),
    'forward-identity': [id(), etype, label],
    'value-type': 'blob',
    cardinality: 'one',
    'unique?': false,
    'index?': false,
    ...extra,
  };
}

let counter = 0;

export async function rawSession(
  app: Pick<ThrowawayApp, 'url' | 'appId' | 'adminToken'>,
  opts: { refreshToken?: string; admin?: boolean; origin?: string } = {},
): Promise<RawSession> {
  const ws = new WebSocket(
    `${app.url.replace(/^http/, 'ws')}/runtime/session?app_id=${app.appId}`,
    opts.origin ? { origin: opts.origin } : {},
  );
  const waiting = new Map<string, (f: Frame) => void>();
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as Frame;
    const id = f['client-event-id'] ?? f['original-event']?.['client-event-id'];
    const done = id && waiting.get(id);
    if (done) {
      waiting.delete(id);
      done(f);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const send = (msg: Frame) =>
    new Promise<Frame>((resolve) => {
      const id = `raw-${++counter}`;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ ...msg, 'client-event-id': id }));
    });
  const init = await send({
    op: 'init',
    'app-id': app.appId,
    ...(opts.refreshToken ? { 'refresh-token': opts.refreshToken } : {}),
    ...(opts.admin ? { '__admin-token': app.adminToken } : {}),
  });
  if (init.op !== 'init-ok') throw new Error(`init refused: ${JSON.stringify(init)}`);
  const attrs = init.attrs as Attr[];
  const attr = (etype: string, label: string) => {
    const a = attrs.find((x) => x['forward-identity'][1] === etype && x['forward-identity'][2] === label);
    if (!a) throw new Error(`no attr ${etype}.${label}`);
    return a.id;
  };
  return {
    attrs,
    attr,
    entity: (etype, eid, fields = {}, op = 'add-triple') => [
      [op, eid, attr(etype, 'id'), eid],
      ...Object.entries(fields).map(([label, value]) => [op, eid, attr(etype, label), value]),
    ],
    transact: (steps) => send({ op: 'transact', 'tx-steps': steps }),
    query: (q) => send({ op: 'add-query', q }),
    close: () => ws.close(),
  };
}
