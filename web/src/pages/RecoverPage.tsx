import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { redeemRecoveryLink } from '../api-client.ts';
import { MagicCodeSignIn } from '../auth/MagicCodeSignIn.tsx';
import { db } from '../instant.ts';
import { PurchaseList, type PurchaseView } from '../shop/PurchaseList.tsx';
import { addTokens } from '../shop/purchase-tokens.ts';

/** The recovery link support mailed (`/recover#email=…&exp=…&nonce=…&sig=…`), taken out of the address bar. */
function takeRecoveryLink(): URLSearchParams | null {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  if (!fragment.get('sig')) return null;
  window.history.replaceState(null, '', window.location.pathname);
  return fragment;
}

/**
 * Lost the token (new device, cleared storage)? Prove the email with an Instant magic code, or
 * open the one-use link support mailed (it works when too many codes lock the email out); the
 * purchases recorded for it come back into this browser, then the session is signed out again.
 */
export function RecoverPage() {
  const { user } = db.useAuth();
  const [restored, setRestored] = useState<PurchaseView[] | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);

  useEffect(() => {
    const link = takeRecoveryLink();
    if (!link) return;
    redeemRecoveryLink(link)
      .then(({ token }) => db.auth.signInWithToken(token))
      .catch((e: Error) => setLinkError(e.message));
  }, []);
  const { data } = db.useQuery(user ? { purchases: { $: { order: { createdAt: 'desc' } } } } : null);

  useEffect(() => {
    if (!user || !data) return;
    addTokens(data.purchases.map((p) => p.token));
    setRestored(data.purchases);
    void db.auth.signOut();
  }, [user, data]);

  if (restored) {
    return (
      <section data-testid="recovered">
        <h1>Recovered</h1>
        <p>
          {restored.length
            ? `${restored.length} purchase(s) restored to this browser.`
            : 'No purchases were found for that email.'}
        </p>
        <PurchaseList purchases={restored} />
        <Link to="/">Back to the shop</Link>
      </section>
    );
  }
  return (
    <section>
      <h1>Recover your purchases</h1>
      {linkError ? (
        <p className="error" role="alert" data-testid="recover-link-error">
          {linkError}
        </p>
      ) : null}
      <MagicCodeSignIn intro="Enter the email you paid with. We will send you a code; your purchases come back to this browser." />
    </section>
  );
}
