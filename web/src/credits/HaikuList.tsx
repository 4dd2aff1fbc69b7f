import { db } from '../instant.ts';

/** The user's haikus, newest first, live. Permissions show each user only their own. */
export function HaikuList({ userId }: { userId: string }) {
  const { data, error } = db.useQuery({
    haikus: { $: { where: { 'author.id': userId }, order: { createdAt: 'desc' } } },
  });
  if (error) return <p className="error">Could not load your haikus: {error.message}</p>;
  const haikus = data?.haikus ?? [];
  if (haikus.length === 0) return <p className="muted">No haikus yet.</p>;
  return (
    <ul className="haikus" data-testid="haikus">
      {haikus.map((h) => (
        <li key={h.id} className="card haiku">
          <span className="muted">{h.topic}</span>
          <pre>{h.content}</pre>
          <button className="link" onClick={() => void db.transact(db.tx.haikus[h.id].delete())}>
            Delete
          </button>
        </li>
      ))}
    </ul>
  );
}
