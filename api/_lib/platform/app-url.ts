// The shop's public origin for Stripe's redirect URLs: APP_URL when set (production), else the
// origin the request came to (local development).
export function appUrl(req: Request): string {
  const configured = process.env.APP_URL?.trim().replace(/\/+$/, '');
  return configured || new URL(req.url).origin;
}
