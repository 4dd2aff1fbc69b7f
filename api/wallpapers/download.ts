// POST /api/wallpapers/download {tokens, wallpaperId, disposition?} -> {url}
// Issues a short-lived signed URL for a full-resolution wallpaper to a holder of a token of a
// paid purchase of it. Tokens travel in the body, never in a URL.
import { z } from 'zod';
import { handler, HttpError, json, readJson } from '../_lib/platform/http.ts';
import { adminDb } from '../_lib/platform/instant-admin.ts';
import { signedPath } from '../_lib/files/signed-urls.ts';
import { MAX_RULE_TOKENS } from '../../contracts/purchase-tokens.ts';

const Body = z.object({
  tokens: z
    .array(z.string().uuid('each token must be a UUID'))
    .min(1, 'tokens must hold at least one purchase token')
    .max(MAX_RULE_TOKENS, `tokens may hold at most ${MAX_RULE_TOKENS} tokens per request`),
  wallpaperId: z.string().uuid('wallpaperId must be a wallpaper id'),
  disposition: z.enum(['inline', 'attachment']).default('attachment'),
});

export const POST = handler(async (req) => {
  const { tokens, wallpaperId, disposition } = await readJson(req, Body);
  const db = adminDb();
  const { wallpapers } = await db.query({
    wallpapers: {
      $: { where: { id: wallpaperId } },
      purchases: { $: { where: { unlockToken: { $in: tokens } }, fields: ['id'] } },
    },
  });
  const wallpaper = wallpapers[0];
  if (!wallpaper) throw new HttpError(404, `No wallpaper ${wallpaperId}.`);
  if (!wallpaper.purchases?.length)
    throw new HttpError(403, 'None of these tokens holds a paid purchase of this wallpaper.');
  return json({ url: signedPath({ kind: 'wallpaper', id: wallpaperId, disposition }) });
});
