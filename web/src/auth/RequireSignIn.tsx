import type { ReactNode } from 'react';
import type { User } from '@instantdb/react';
import { db } from '../instant.ts';
import { MagicCodeSignIn } from './MagicCodeSignIn.tsx';

/** A page for signed-in users: the magic-code form until Instant knows who this is. */
export function RequireSignIn({
  title,
  intro,
  children,
}: {
  title: string;
  intro: string;
  children: (user: User) => ReactNode;
}) {
  const { isLoading, user, error } = db.useAuth();
  if (isLoading) return <p>Loading…</p>;
  if (error) return <p className="error">Could not check your sign-in: {error.message}</p>;
  if (!user) {
    return (
      <section>
        <h1>{title}</h1>
        <MagicCodeSignIn intro={intro} />
      </section>
    );
  }
  return <>{children(user)}</>;
}

/** "Signed in as …" with a sign-out link. */
export function SignedInAs({ email }: { email: string | null | undefined }) {
  return (
    <div className="row">
      <span className="muted" data-testid="signed-in-as">
        Signed in as {email}
      </span>
      <button className="link" onClick={() => void db.auth.signOut()}>
        Sign out
      </button>
    </div>
  );
}
