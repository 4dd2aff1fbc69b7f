import { Link, Route, Routes } from 'react-router';
import { db } from './instant.ts';
import { AccountPage } from './pages/AccountPage.tsx';
import { CreditsPage } from './pages/CreditsPage.tsx';
import { OpsPage } from './pages/OpsPage.tsx';
import { RecoverPage } from './pages/RecoverPage.tsx';
import { ShopPage } from './pages/ShopPage.tsx';
import { SuccessPage } from './pages/SuccessPage.tsx';

export function App() {
  const status = db.useConnectionStatus();
  return (
    <div className="page">
      <header className="top">
        <nav className="row">
          <Link to="/" className="brand">instant-shop</Link>
          <Link to="/recover">Recover</Link>
          <Link to="/credits">Credits</Link>
          <Link to="/ops">Ops</Link>
          <Link to="/account">Account</Link>
        </nav>
        <span className={`status status-${status}`} data-testid="connection-status">{status}</span>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<ShopPage />} />
          <Route path="/success" element={<SuccessPage />} />
          <Route path="/recover" element={<RecoverPage />} />
          <Route path="/credits" element={<CreditsPage />} />
          <Route path="/ops" element={<OpsPage />} />
          <Route path="/account" element={<AccountPage />} />
          <Route path="*" element={<p>Nothing here. <Link to="/">Back to the shop</Link>.</p>} />
        </Routes>
      </main>
    </div>
  );
}
