// GET /api/files/wallpaper?id&disposition&exp&sig: streams a full-resolution wallpaper to whoever
// holds a valid, unexpired signature (issued by /api/wallpapers/download).
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { WALLPAPERS } from '../../catalog/wallpapers.ts';
import { handler, HttpError } from '../_lib/platform/http.ts';
import { adminDb } from '../_lib/platform/instant-admin.ts';
import { verifySigned } from '../_lib/files/signed-urls.ts';

export const GET = handler(async (req) => {
  const v = verifySigned('wallpaper', new URL(req.url).searchParams);
  if (!v.ok)
    throw new HttpError(
      v.reason === 'expired' ? 410 : 403,
      v.reason === 'expired' ? 'This link has expired; ask for a new one from the shop.' : 'This link is not valid.',
    );
  const { wallpapers } = await adminDb().query({ wallpapers: { $: { where: { id: v.target.id } } } });
  const w = wallpapers[0];
  const known = w && WALLPAPERS.find((x) => x.slug === w.slug);
  if (!w || !known) throw new HttpError(404, 'No such wallpaper.');
  const path = join(process.cwd(), 'private', 'wallpapers', w.fullResUrl);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    console.error(`wallpaper file missing: ${path}`);
    throw new HttpError(500, 'The file is missing on the server; the shop owner has been told.');
  }
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
    headers: {
      'content-type': 'image/png',
      'content-length': String(size),
      'content-disposition': `${v.target.disposition}; filename="${w.slug}.png"`,
      'cache-control': 'private, no-store',
    },
  });
});
