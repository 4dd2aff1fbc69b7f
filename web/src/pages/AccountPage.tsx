import { Link } from 'react-router';
import { AccountPurchases } from '../account/AccountPurchases.tsx';
import { PlanCard } from '../account/PlanCard.tsx';
import { MagicCodeSignIn } from '../auth/MagicCodeSignIn.tsx';
import { db } from '../instant.ts';

/** The signed-in buyer's plan, purchases and downloads, all live. */
export function AccountPage() {
  const { isLoading, user } = db.useAuth();
  const { data } = db.useQuery(user ? { $users: { $: { where: { id: user.id } } } } : null);
  if (isLoading) return <p>Loading…</p>;
  if (!user) {
    return (
      <section>
        <h1>Your account</h1>
        <MagicCodeSignIn intro="Sign in with your email to see your plan, purchases and downloads." />
      </section>
    );
  }
  const me = data?.$users[0];
  return (
    <section>
      <h1>Your account</h1>
      <div className="row">
        <span className="muted">Signed in as {user.email}</span>
        <button className="link" onClick={() => void db.auth.signOut()}>Sign out</button>
      </div>
      <PlanCard planId={me?.plan ?? null} refreshToken={user.refresh_token} />
      <h2>Purchases and downloads</h2>
      <AccountPurchases refreshToken={user.refresh_token} />
      <p>
        Credits and haikus are on the <Link to="/credits">credits page</Link>.
      </p>
    </section>
  );
}
