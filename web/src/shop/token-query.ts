// Queries that carry the buyer's purchase tokens in ruleParams. The rules take at most
// MAX_RULE_TOKENS per query (instant.perms.ts), so a longer list is split into chunks of that
// size, one live subscription each, and their results merged: the entities of every chunk, each
// with every field any chunk reveals. Chunks differ only in what the rules let them see.
import { MAX_RULE_TOKENS } from '../../../contracts/purchase-tokens.ts';

export type TokenQueryState<D> = { isLoading: boolean; data?: D; error?: { message: string } };
type Subscribe = (
  q: any,
  cb: (r: { data?: any; error?: { message: string } }) => void,
  opts: { ruleParams: { tokens: string[] } },
) => () => void;

export function tokenChunks(tokens: string[], size = MAX_RULE_TOKENS): string[][] {
  const unique = [...new Set(tokens)];
  if (unique.length === 0) return [[]];
  const out: string[][] = [];
  for (let i = 0; i < unique.length; i += size) out.push(unique.slice(i, i + size));
  return out;
}

const isEntityList = (v: unknown): v is Record<string, unknown>[] =>
  Array.isArray(v) &&
  v.every((x) => x !== null && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string');

/** Entities merged by id (first-seen order), fields unioned, nested link lists merged alike. */
function mergeEntities(lists: Record<string, unknown>[][]): Record<string, unknown>[] {
  const byId = new Map<string, Record<string, unknown>[]>();
  for (const list of lists) for (const e of list) byId.set(e.id as string, [...(byId.get(e.id as string) ?? []), e]);
  return [...byId.values()].map((versions) => {
    const out: Record<string, unknown> = {};
    for (const v of versions) {
      for (const [k, x] of Object.entries(v)) {
        if (isEntityList(x) && isEntityList(out[k])) out[k] = mergeEntities([out[k] as Record<string, unknown>[], x]);
        else if (!(k in out) || out[k] === undefined || out[k] === null) out[k] = x;
      }
    }
    return out;
  });
}

export function mergeChunkData<D>(query: Record<string, any>, datas: D[]): D {
  if (datas.length === 1) return datas[0];
  const out: Record<string, unknown> = {};
  for (const ns of Object.keys(query)) {
    const merged = mergeEntities(
      datas.map((d) => ((d as Record<string, unknown>)[ns] as Record<string, unknown>[]) ?? []),
    );
    // Keep the query's top-level order across chunks (each chunk is ordered on its own).
    const order = query[ns]?.$?.order as Record<string, 'asc' | 'desc'> | undefined;
    const [key, dir] = order ? (Object.entries(order)[0] ?? []) : [];
    if (key) {
      const sign = dir === 'desc' ? -1 : 1;
      const at = (e: Record<string, unknown>) =>
        typeof e[key] === 'string' ? Date.parse(e[key] as string) || (e[key] as string) : (e[key] as number);
      merged.sort((a, b) => (at(a) < at(b) ? -sign : at(a) > at(b) ? sign : 0));
    }
    out[ns] = merged;
  }
  return out as D;
}

/** Subscribes to `query` for every chunk of `tokens`; `onState` gets the merged state on every change. */
export function subscribeWithTokens<D>(
  subscribe: Subscribe,
  query: Record<string, any>,
  tokens: string[],
  onState: (s: TokenQueryState<D>) => void,
): () => void {
  const chunks = tokenChunks(tokens);
  const latest: ({ data?: D; error?: { message: string } } | undefined)[] = chunks.map(() => undefined);
  const emit = () => {
    const error = latest.find((r) => r?.error)?.error;
    if (error) return onState({ isLoading: false, error });
    if (latest.some((r) => !r?.data)) return onState({ isLoading: true });
    onState({
      isLoading: false,
      data: mergeChunkData(
        query,
        latest.map((r) => r!.data as D),
      ),
    });
  };
  const unsubs = chunks.map((chunk, i) =>
    subscribe(
      query,
      (r) => {
        latest[i] = r;
        emit();
      },
      { ruleParams: { tokens: chunk } },
    ),
  );
  return () => unsubs.forEach((u) => u());
}
