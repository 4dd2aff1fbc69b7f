import { Link } from 'react-router';
import { AccountPurchases } from '../account/AccountPurchases.tsx';
import { PlanCard } from '../account/PlanCard.tsx';
import { RequireSignIn, SignedInAs } from '../auth/RequireSignIn.tsx';
import { db } from '../instant.ts';

/** The signed-in buyer's plan, purchases and downloads, all live. */
export function AccountPage() {
  return (
    <RequireSignIn title="Your account" intro="Sign in with your email to see your plan, purchases and downloads.">
      {(user) => <Account userId={user.id} email={user.email} refreshToken={user.refresh_token} />}
    </RequireSignIn>
  );
}

function Account({
  userId,
  email,
  refreshToken,
}: {
  userId: string;
  email: string | null | undefined;
  refreshToken: string;
}) {
  const { data } = db.useQuery({ $users: { $: { where: { id: userId } } } });
  return (
    <section>
      <h1>Your account</h1>
      <SignedInAs email={email} />
      <PlanCard planId={data?.$users[0]?.plan ?? null} refreshToken={refreshToken} />
      <h2>Purchases and downloads</h2>
      <AccountPurchases refreshToken={refreshToken} />
      <p>
        Credits and haikus are on the <Link to="/credits">credits page</Link>.
      </p>
    </section>
  );
}
