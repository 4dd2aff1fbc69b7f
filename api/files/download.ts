// GET /api/files/download?id&disposition&exp&sig: streams a purchased file (never read whole
// into memory) to whoever holds a valid signature; the purchase is checked again on use.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { downloadFile } from '../_lib/files/download-file.ts';
import { findPurchase } from '../_lib/fulfillment/find-purchase.ts';
import { handler, HttpError } from '../_lib/platform/http.ts';
import { verifySigned } from '../_lib/files/signed-urls.ts';

export const GET = handler(async (req) => {
  const v = verifySigned('download', new URL(req.url).searchParams);
  if (!v.ok)
    throw new HttpError(
      v.reason === 'expired' ? 410 : 403,
      v.reason === 'expired'
        ? 'This link has expired; ask for a new one from your account page.'
        : 'This link is not valid.',
    );
  const file = downloadFile(await findPurchase(v.target.id));
  return new Response(Readable.toWeb(createReadStream(file.path)) as ReadableStream, {
    headers: {
      'content-type': file.contentType,
      'content-length': String(file.size),
      'content-disposition': `attachment; filename="${file.filename}"`,
      'cache-control': 'private, no-store',
    },
  });
});
