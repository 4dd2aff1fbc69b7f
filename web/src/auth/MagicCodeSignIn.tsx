import { useState, type FormEvent } from 'react';
import { db } from '../instant.ts';
import { ErrorNote } from '../ErrorNote.tsx';

/** Email, then the 6-digit code Instant mails; used by credits, recovery and the operator page. */
export function MagicCodeSignIn({ intro }: { intro?: string }) {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((e as { body?: { message?: string } }).body?.message ?? (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const sendCode = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get('email') ?? '')
      .trim()
      .toLowerCase();
    void run(async () => {
      await db.auth.sendMagicCode({ email });
      setSentTo(email);
    });
  };

  const verify = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get('code') ?? '').trim();
    void run(() => db.auth.signInWithMagicCode({ email: sentTo!, code }));
  };

  return (
    <div className="card">
      {intro ? <p>{intro}</p> : null}
      {sentTo === null ? (
        <form onSubmit={sendCode} className="row">
          <input
            name="email"
            type="email"
            required
            placeholder="you@example.com"
            aria-label="Email"
            autoComplete="email"
          />
          <button disabled={busy}>Send code</button>
        </form>
      ) : (
        <form onSubmit={verify} className="row">
          <span>We sent a code to {sentTo}.</span>
          <input
            name="code"
            inputMode="numeric"
            pattern="[0-9]{6}"
            required
            placeholder="123456"
            aria-label="Code"
            autoComplete="one-time-code"
          />
          <button disabled={busy}>Sign in</button>
          <button type="button" className="link" onClick={() => setSentTo(null)}>
            Use another email
          </button>
        </form>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
