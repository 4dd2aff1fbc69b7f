import { useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
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
        <OneFieldForm
          onSubmit={sendCode}
          busy={busy}
          submit="Send code"
          field={{
            name: 'email',
            type: 'email',
            placeholder: 'you@example.com',
            'aria-label': 'Email',
            autoComplete: 'email',
          }}
        />
      ) : (
        <OneFieldForm
          onSubmit={verify}
          busy={busy}
          submit="Sign in"
          lead={<span>We sent a code to {sentTo}.</span>}
          field={{
            name: 'code',
            inputMode: 'numeric',
            pattern: '[0-9]{6}',
            placeholder: '123456',
            'aria-label': 'Code',
            autoComplete: 'one-time-code',
          }}
        >
          <button type="button" className="link" onClick={() => setSentTo(null)}>
            Use another email
          </button>
        </OneFieldForm>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

/** One required field and its submit button on a row; `children` follow the button. */
function OneFieldForm({
  onSubmit,
  busy,
  submit,
  lead,
  field,
  children,
}: {
  onSubmit: (e: FormEvent<HTMLFormElement>) => void;
  busy: boolean;
  submit: string;
  lead?: ReactNode;
  field: InputHTMLAttributes<HTMLInputElement>;
  children?: ReactNode;
}) {
  return (
    <form onSubmit={onSubmit} className="row">
      {lead}
      <input required {...field} />
      <button disabled={busy}>{submit}</button>
      {children}
    </form>
  );
}
