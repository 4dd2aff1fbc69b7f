import { RequireSignIn, SignedInAs } from '../auth/RequireSignIn.tsx';
import { Balance } from '../credits/Balance.tsx';
import { HaikuForm } from '../credits/HaikuForm.tsx';
import { HaikuList } from '../credits/HaikuList.tsx';
import { LedgerHistory } from '../credits/LedgerHistory.tsx';
import { PackList } from '../credits/PackList.tsx';

/** Credits for signed-in users: buy packs, spend one credit per haiku; everything updates live. */
export function CreditsPage() {
  return (
    <RequireSignIn
      title="Haiku credits"
      intro="Sign in with your email to buy credits and write haikus. We'll email you a 6-digit code."
    >
      {(user) => (
        <section>
          <h1>Haiku credits</h1>
          <SignedInAs email={user.email} />
          <Balance userId={user.id} />
          <PackList refreshToken={user.refresh_token} />
          <h2>Write a haiku</h2>
          <HaikuForm refreshToken={user.refresh_token} />
          <HaikuList userId={user.id} />
          <h2>History</h2>
          <LedgerHistory userId={user.id} />
        </section>
      )}
    </RequireSignIn>
  );
}
