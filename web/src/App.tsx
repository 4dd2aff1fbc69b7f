import { Link, Route, Routes } from 'react-router';
import { db } from './instant.ts';
import { HomePage } from './pages/HomePage.tsx';

export function App() {
  const status = db.useConnectionStatus();
  return (
    <div className="page">
      <header className="top">
        <Link to="/" className="brand">instant-shop</Link>
        <span className={`status status-${status}`} data-testid="connection-status">{status}</span>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="*" element={<p>Nothing here. <Link to="/">Back to the shop</Link>.</p>} />
        </Routes>
      </main>
    </div>
  );
}
