// What every doctor check returns: one line of the report. `warn` is only for what cannot be
// verified from outside the service; it never fails the run.
export type Status = 'ok' | 'fail' | 'warn';
export type Check = { status: Status; label: string; fix?: string };
export type Env = Record<string, string | undefined>;

export const ok = (label: string): Check => ({ status: 'ok', label });
export const fail = (label: string, fix: string): Check => ({ status: 'fail', label, fix });
/** A check that cannot be made from here: says what to check by hand. */
export const cannotVerify = (label: string, what: string): Check => ({
  status: 'warn',
  label,
  fix: `cannot verify from here: check ${what}`,
});

/** A key's recognisable start, never the secret part (`sk_test_…`, `re_…`). */
export function keyPrefix(key: string | undefined): string {
  if (!key) return '(unset)';
  const m = /^([a-z]+_(?:test_|live_)?)/i.exec(key.trim());
  return `${m ? m[1] : key.trim().slice(0, 3)}…`;
}

/** The message of a network failure, with the address that was tried. */
export function unreachable(service: string, address: string, e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const why = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
  return `${service} did not answer at ${address} (${why})`;
}

export function isNetworkError(e: unknown): boolean {
  const err = e as { message?: string; type?: string; cause?: unknown; code?: string };
  return (
    err?.type === 'StripeConnectionError' ||
    /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up/i.test(
      `${err?.message ?? ''} ${err?.code ?? ''}`,
    ) ||
    (err?.cause !== undefined && isNetworkError(err.cause))
  );
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase());
}

/** Two URLs name the same place; loopback names count as one (the dev stack mixes them). */
export function sameUrl(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const host = (u: URL) => (isLoopback(u.hostname) ? 'loopback' : u.hostname.toLowerCase());
    const path = (u: URL) => u.pathname.replace(/\/+$/, '');
    return x.protocol === y.protocol && host(x) === host(y) && x.port === y.port && path(x) === path(y);
  } catch {
    return false;
  }
}

/** How long a service may take to answer one request (DOCTOR_TIMEOUT_MS, default 15 s). */
export function answerTimeoutMs(env: Env): number {
  const n = Number(env.DOCTOR_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : 15_000;
}

/** Rejects as a network failure (ETIMEDOUT) when `p` takes longer than `ms`: a hung service is a ✘, not a hung doctor. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
