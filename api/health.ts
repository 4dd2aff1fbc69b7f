// GET /api/health: whether the function runtime is up and which services it is configured for.
export function GET(): Response {
  return Response.json({ ok: true, instant: Boolean(process.env.INSTANT_APP_ID), stripe: Boolean(process.env.STRIPE_SECRET_KEY) });
}
