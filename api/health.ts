// GET /api/health: whether the function runtime is up, and nothing else (how it is configured is
// for the operator: the start-up check and the log name what is missing).
export function GET(): Response {
  return Response.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
}
