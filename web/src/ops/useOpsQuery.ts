import { useEffect, useState } from 'react';
import { opsCall } from './api.ts';

type State<T> = { data: T | null; error: string | null; loading: boolean };

/**
 * An operator call whose answer the page shows, made again when its body or `version` changes. The
 * last answer stays on screen while the next loads (`loading` until the answer to this very body
 * and version is in); a late answer to an older one is dropped.
 */
export function useOpsQuery<T>(command: string, refreshToken: string, body: unknown, version = 0): State<T> {
  const key = JSON.stringify([command, body, version]);
  const [state, setState] = useState<{ data: T | null; error: string | null; for: string | null }>({
    data: null,
    error: null,
    for: null,
  });
  useEffect(() => {
    let live = true;
    opsCall<T>(command, refreshToken, JSON.parse(key)[1])
      .then((data) => live && setState({ data, error: null, for: key }))
      .catch((e: Error) => live && setState({ data: null, error: e.message, for: key }));
    return () => {
      live = false;
    };
  }, [command, refreshToken, key]);
  return { data: state.data, error: state.error, loading: state.for !== key };
}
