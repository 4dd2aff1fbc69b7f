import { lazy, Suspense } from 'react';
import { Link, Route, Routes } from 'react-router';
import { db } from './instant.ts';
import { ShopPage } from './pages/ShopPage.tsx';
import { SuccessPage } from './pages/SuccessPage.tsx';

// The shop and the success page ship in the first bundle; the rest load when visited.
const AccountPage = lazy(() => import('./pages/AccountPage.tsx').then((m) => ({ default: m.AccountPage })));
const CreditsPage = lazy(() => import('./pages/CreditsPage.tsx').then((m) => ({ default: m.CreditsPage })));
const OpsPage = lazy(() => import('./pages/OpsPage.tsx').then((m) => ({ default: m.OpsPage })));
const RecoverPage = lazy(() => import('./pages/RecoverPage.tsx').then((m) => ({ default: m.RecoverPage })));

/** Only a problem is shown, in a buyer's words; the state itself is a data attribute for tests. */
function ConnectionNotice({ status }: { status: string }) {
  if (status !== 'closed' && status !== 'errored') return null;
  return (
    <p className="notice" role="status" data-testid="connection-problem">
      Can't reach the shop right now; trying again. Your purchases are safe and will show up when it's back.
    </p>
  );
}

export function App() {
  const status = db.useConnectionStatus();
  return (
    <div className="page" data-connection={status}>
      <header className="top">
        <nav className="row">
          <Link to="/" className="brand">
            instant-shop
          </Link>
          <Link to="/recover">Recover</Link>
          <Link to="/credits">Credits</Link>
          <Link to="/account">Account</Link>
          <Link to="/ops">Ops</Link>
        </nav>
      </header>
      <ConnectionNotice status={status} />
      <main>
        <Suspense fallback={<p>Loading…</p>}>
          <Routes>
            <Route path="/" element={<ShopPage />} />
            <Route path="/success" element={<SuccessPage />} />
            <Route path="/recover" element={<RecoverPage />} />
            <Route path="/credits" element={<CreditsPage />} />
            <Route path="/ops/*" element={<OpsPage />} />
            <Route path="/account" element={<AccountPage />} />
            <Route
              path="*"
              element={
                <p>
                  Nothing here. <Link to="/">Back to the shop</Link>.
                </p>
              }
            />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
