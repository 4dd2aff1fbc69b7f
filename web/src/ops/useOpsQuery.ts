import { useEffect, useState } from 'react';
import { opsCall } from './api.ts';

type State<T> = { data: T | null; error: string | null; loading: boolean };

/**
 * An operator call whose answer the page shows, made again when its body or `version` changes. The
 * last answer stays on screen while the next loads (`loading`); a late answer to an older body is dropped.
 */
export function useOpsQuery<T>(command: string, refreshToken: string, body: unknown, version = 0): State<T> {
  const key = JSON.stringify(body);
  const [state, setState] = useState<State<T>>({ data: null, error: null, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    opsCall<T>(command, refreshToken, JSON.parse(key))
      .then((data) => live && setState({ data, error: null, loading: false }))
      .catch((e: Error) => live && setState({ data: null, error: e.message, loading: false }));
    return () => {
      live = false;
    };
  }, [command, refreshToken, key, version]);
  return state;
}
