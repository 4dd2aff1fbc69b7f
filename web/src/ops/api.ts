// The operator functions (api/ops/*), called with the signed-in operator's refresh token. The
// server decides who is an operator; a 403 here is the answer "not an operator".
export class OpsError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function opsCall<T>(command: string, refreshToken: string, body: unknown = {}): Promise<T> {
  const res = await fetch(`/api/ops/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${refreshToken}` },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new OpsError(res.status, data.error ?? `Request failed (${res.status})`);
  return data as T;
}

export const money = (amount: number | null, currency: string | null) =>
  amount === null || !currency ? '—' : new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);

export const when = (d: number | string | null | undefined) => (d ? new Date(d).toLocaleString() : '—');
