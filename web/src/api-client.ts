// Calls to the shop's api/ functions. Signed-in calls send the Instant refresh token, from which
// the server learns who is calling. Errors carry the function's own message and status.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type CallOptions = { refreshToken?: string; method?: 'POST' | 'PUT' };

/** Sends a JSON body (the refresh token, if any, in the Authorization header); a refusal throws ApiError. */
async function call(path: string, body: unknown, opts: CallOptions): Promise<Response> {
  const res = await fetch(path, {
    method: opts.method ?? 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.refreshToken ? { authorization: `Bearer ${opts.refreshToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw new ApiError(res.status, data.error ?? `Request failed (${res.status})`);
  }
  return res;
}

export async function postJson<T>(path: string, body: unknown, opts: CallOptions = {}): Promise<T> {
  const res = await call(path, body, opts);
  return (await res.json().catch(() => ({}))) as T;
}

/** A file the function answers with (e.g. a CSV export): its bytes and the name it suggests, if any. */
export async function postForFile(path: string, body: unknown, opts: CallOptions = {}) {
  const res = await call(path, body, opts);
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? null;
  return { blob: await res.blob(), name };
}

/** A short-lived signed URL for a wallpaper the given tokens paid for. */
export function wallpaperUrl(tokens: string[], wallpaperId: string, disposition: 'inline' | 'attachment') {
  return postJson<{ url: string }>('/api/wallpapers/download', { tokens, wallpaperId, disposition }).then((r) => r.url);
}

/** A short-lived signed URL for a purchased file: as its signed-in owner, or with its token. */
export function downloadUrl(purchaseId: string, who: { refreshToken: string } | { token: string }) {
  const body = 'token' in who ? { token: who.token } : {};
  const opts = 'refreshToken' in who ? { refreshToken: who.refreshToken } : {};
  return postJson<{ url: string }>(`/api/downloads/${purchaseId}`, body, opts).then((r) => r.url);
}

/** Redeems a recovery link's fragment (`email`, `exp`, `nonce`, `sig`) for an Instant refresh token. */
export function redeemRecoveryLink(fragment: URLSearchParams) {
  const body = {
    email: fragment.get('email'),
    exp: Number(fragment.get('exp')),
    nonce: fragment.get('nonce'),
    sig: fragment.get('sig'),
  };
  return postJson<{ token: string; email: string }>('/api/ops/recover', body, { method: 'PUT' });
}
