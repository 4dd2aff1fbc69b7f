import { db } from '../instant.ts';

/** Who is signed in, live from Instant. The shop's catalog joins this page with the buy-once flow. */
export function HomePage() {
  const { user, isLoading } = db.useAuth();
  return (
    <section>
      <h1>instant-shop</h1>
      <p>Digital goods sold with Stripe, stored in InstantDB.</p>
      {isLoading ? null : <p data-testid="who">{user ? `Signed in as ${user.email}` : 'Browsing as a guest'}</p>}
    </section>
  );
}
