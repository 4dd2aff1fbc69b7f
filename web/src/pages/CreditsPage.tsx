import { MagicCodeSignIn } from '../auth/MagicCodeSignIn.tsx';
import { Balance } from '../credits/Balance.tsx';
import { HaikuForm } from '../credits/HaikuForm.tsx';
import { HaikuList } from '../credits/HaikuList.tsx';
import { LedgerHistory } from '../credits/LedgerHistory.tsx';
import { PackList } from '../credits/PackList.tsx';
import { db } from '../instant.ts';

/** Credits for signed-in users: buy packs, spend one credit per haiku; everything updates live. */
export function CreditsPage() {
  const { isLoading, user, error } = db.useAuth();
  if (isLoading) return <p>Loading…</p>;
  if (error) return <p className="error">Could not check your sign-in: {error.message}</p>;
  if (!user) {
    return (
      <section>
        <h1>Haiku credits</h1>
        <MagicCodeSignIn intro="Sign in with your email to buy credits and write haikus. We'll email you a 6-digit code." />
      </section>
    );
  }
  return (
    <section>
      <h1>Haiku credits</h1>
      <div className="row">
        <span className="muted" data-testid="signed-in-as">Signed in as {user.email}</span>
        <button className="link" onClick={() => void db.auth.signOut()}>Sign out</button>
      </div>
      <Balance userId={user.id} />
      <PackList refreshToken={user.refresh_token} />
      <h2>Write a haiku</h2>
      <HaikuForm refreshToken={user.refresh_token} />
      <HaikuList userId={user.id} />
      <h2>History</h2>
      <LedgerHistory userId={user.id} />
    </section>
  );
}
