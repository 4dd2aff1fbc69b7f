// db.useQuery for queries that carry the buyer's tokens: split into chunks the rules accept and
// merged (token-query.ts), live like any query.
import type { InstaQLResponse, ValidQuery } from '@instantdb/core';
import { useEffect, useState } from 'react';
import type { AppSchema } from '../../../instant.schema.ts';
import { db } from '../instant.ts';
import { subscribeWithTokens, type TokenQueryState } from './token-query.ts';

export function useTokenQuery<Q extends ValidQuery<Q, AppSchema>>(
  query: Q | null,
  tokens: string[],
): TokenQueryState<InstaQLResponse<AppSchema, Q>> {
  const [state, setState] = useState<TokenQueryState<InstaQLResponse<AppSchema, Q>>>({ isLoading: query !== null });
  // Re-subscribe when the query or the set of tokens changes, not on every render.
  const key = JSON.stringify([query, tokens]);
  useEffect(() => {
    if (!query) return void setState({ isLoading: false });
    return subscribeWithTokens(
      (q, cb, opts) => db.core.subscribeQuery(q as never, cb as never, opts),
      query as Record<string, any>,
      tokens,
      setState,
    );
  }, [key]);
  return state;
}
