// POST /api/downloads/{purchaseId} -> {url}
// From the signed-in owner (Authorization: Bearer <refresh token>) or the holder of the
// purchase's token ({token} in the body). Answers a short-lived signed URL for the file.
import { z } from 'zod';
import { downloadFile } from '../_lib/files/download-file.ts';
import { findPurchase } from '../_lib/fulfillment/find-purchase.ts';
import { handler, HttpError, json, readBody } from '../_lib/platform/http.ts';
import { signedPath } from '../_lib/files/signed-urls.ts';
import { verifyUser } from '../_lib/platform/verify-user.ts';

const Body = z.object({ token: z.string().uuid('token must be the purchase token (a UUID)').optional() });

export const POST = handler(async (req) => {
  const purchaseId = new URL(req.url).searchParams.get('purchaseId') ?? '';
  const text = await readBody(req);
  const parsed = Body.safeParse(text ? safeJson(text) : {});
  if (!parsed.success) throw new HttpError(400, parsed.error.issues[0].message);
  const { token } = parsed.data;
  const signedIn = req.headers.has('authorization');
  if (!signedIn && !token)
    throw new HttpError(401, 'Sign in, or send the purchase token as {"token": "…"} in the body.');
  const user = signedIn ? await verifyUser(req) : null;

  const purchase = await findPurchase(purchaseId);
  const owns =
    (user && (purchase.owner?.id === user.id || (user.email !== null && purchase.email === user.email))) ||
    (token !== undefined && purchase.token === token);
  if (!owns) throw new HttpError(403, 'This purchase belongs to someone else.');
  downloadFile(purchase);
  return json({ url: signedPath({ kind: 'download', id: purchase.id, disposition: 'attachment' }) });
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body must be JSON.');
  }
}
