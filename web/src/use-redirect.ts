import { useState } from 'react';

/**
 * For buttons that ask the server where to go (a Checkout Session, a signed file URL) and go
 * there: `go` leaves the page on success; on failure the server's message is `error` and the
 * button is usable again. `busy` names what is under way (the key `go` was given), else null.
 */
export function useRedirect() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const go = async (where: () => Promise<string>, key = 'busy') => {
    setBusy(key);
    setError(null);
    try {
      window.location.assign(await where());
    } catch (e) {
      setError((e as Error).message);
      setBusy(null);
    }
  };
  return { busy, error, setError, go };
}
