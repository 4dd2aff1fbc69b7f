import { useCallback, useEffect, useState } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { RequireSignIn, SignedInAs } from '../auth/RequireSignIn.tsx';
import { opsCall, OpsError } from '../ops/api.ts';
import { AttentionList } from '../ops/AttentionList.tsx';
import { AuditTrail } from '../ops/AuditTrail.tsx';
import { FindBuyer } from '../ops/FindBuyer.tsx';
import { Overview } from '../ops/overview/Overview.tsx';
import { Reconcile } from '../ops/Reconcile.tsx';
import { WebhookLog } from '../ops/WebhookLog.tsx';
import '../ops/ops.css';

type Access =
  | { state: 'checking' }
  | { state: 'operator' }
  | { state: 'denied'; message: string }
  | { state: 'error'; message: string };

/** The operator page. Who is an operator is the server's answer (OPERATOR_EMAILS), never the page's. */
export function OpsPage() {
  return (
    <RequireSignIn
      title="Operators"
      intro="Sign in with an operator's email (listed in OPERATOR_EMAILS). Locally, `npm run dev` makes ops@example.com an operator; its code arrives in the mailbox at /_local/mailbox."
    >
      {(user) => <OpsConsole email={user.email ?? ''} refreshToken={user.refresh_token} />}
    </RequireSignIn>
  );
}

function OpsConsole({ email, refreshToken }: { email: string; refreshToken: string }) {
  const [access, setAccess] = useState<Access>({ state: 'checking' });
  useEffect(() => {
    let live = true;
    opsCall('me', refreshToken)
      .then(() => live && setAccess({ state: 'operator' }))
      .catch((e: Error) => {
        if (!live) return;
        setAccess(
          e instanceof OpsError && e.status === 403
            ? { state: 'denied', message: e.message }
            : { state: 'error', message: e.message },
        );
      });
    return () => {
      live = false;
    };
  }, [refreshToken]);

  const header = <SignedInAs email={email} />;
  if (access.state === 'checking')
    return (
      <section>
        <h1>Operators</h1>
        {header}
        <p>Checking access…</p>
      </section>
    );
  if (access.state === 'denied' || access.state === 'error') {
    return (
      <section>
        <h1>Operators</h1>
        {header}
        {access.state === 'denied' ? (
          <p className="error" role="alert" data-testid="not-operator">
            This account is not an operator.
          </p>
        ) : (
          <p className="error" role="alert">
            Could not check operator access: {access.message}
          </p>
        )}
      </section>
    );
  }
  return (
    <section data-testid="ops-console">
      <h1>Operators</h1>
      {header}
      <nav className="tabs" aria-label="Operator pages">
        <NavLink to="/ops" end>
          Overview
        </NavLink>
        <NavLink to="/ops/tools">Buyers, webhooks and audit</NavLink>
      </nav>
      <Routes>
        <Route index element={<Overview refreshToken={refreshToken} />} />
        <Route path="attention/:kind" element={<AttentionList refreshToken={refreshToken} />} />
        <Route path="tools" element={<OpsTools refreshToken={refreshToken} />} />
        <Route path="*" element={<p>Nothing here on the operator pages.</p>} />
      </Routes>
    </section>
  );
}

/** Find and help a buyer, reconcile, the webhook log and the audit trail (reloaded after each action). */
function OpsTools({ refreshToken }: { refreshToken: string }) {
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  return (
    <>
      <FindBuyer refreshToken={refreshToken} onAction={bump} />
      <Reconcile refreshToken={refreshToken} onAction={bump} />
      <WebhookLog refreshToken={refreshToken} onAction={bump} />
      <AuditTrail refreshToken={refreshToken} version={version} />
    </>
  );
}
