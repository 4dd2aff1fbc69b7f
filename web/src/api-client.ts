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

export async function postJson<T>(
  path: string,
  body: unknown,
  opts: { refreshToken?: string; method?: 'POST' | 'PUT' } = {},
): Promise<T> {
  const res = await fetch(path, {
    method: opts.method ?? 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.refreshToken ? { authorization: `Bearer ${opts.refreshToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data.error ?? `Request failed (${res.status})`);
  return data as T;
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
