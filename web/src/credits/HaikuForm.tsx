import { useState, type FormEvent } from 'react';
import { postJson } from '../api-client.ts';

const MAX_TOPIC = 80;

/** Spends one credit on one haiku; at zero the server answers 402 and its message is shown. */
export function HaikuForm({ refreshToken }: { refreshToken: string }) {
  const [topic, setTopic] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await postJson('/api/generate', { topic, requestId: crypto.randomUUID() }, { refreshToken });
      // The haiku and the new balance arrive through the live queries, often before this answer:
      // clear the field only if it still holds this topic, not one typed since.
      setTopic((now) => (now === topic ? '' : now));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="card">
      <div className="row">
        <input
          name="topic"
          aria-label="Topic"
          placeholder="A topic, e.g. autumn rain"
          required
          maxLength={MAX_TOPIC}
          value={topic}
          onChange={(e) => setTopic(e.target.value)}
        />
        <button disabled={busy || topic.trim() === ''} data-testid="generate">
          Write a haiku (1 credit)
        </button>
      </div>
      {error ? (
        <p className="error" role="alert" data-testid="generate-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
