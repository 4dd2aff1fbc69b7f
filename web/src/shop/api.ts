// Calls to the shop's api/ functions. Errors carry the function's own message.
export async function postJson<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error ?? `Request failed (${res.status})`), { status: res.status });
  return data as T;
}

/** A short-lived signed URL for a wallpaper the given tokens paid for. */
export function wallpaperUrl(tokens: string[], wallpaperId: string, disposition: 'inline' | 'attachment') {
  return postJson<{ url: string }>('/api/wallpapers/download', { tokens, wallpaperId, disposition }).then((r) => r.url);
}
