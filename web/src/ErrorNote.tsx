/** An error in words, announced to screen readers; nothing when there is none. */
export function ErrorNote({ error, testId }: { error: string | null | undefined; testId?: string }) {
  return error ? (
    <p className="error" role="alert" data-testid={testId}>
      {error}
    </p>
  ) : null;
}
