// Errors in the shape Instant's server sends them: `{type, message, hint}` over HTTP (status 400,
// 429 for rate limits, 401 for auth), and `{op: 'error', status, type, message, hint,
// 'client-event-id', 'original-event'}` over the WebSocket.

export type InstantErrorType =
  | 'param-missing'
  | 'param-malformed'
  | 'record-not-found'
  | 'record-not-unique'
  | 'record-expired'
  | 'validation-failed'
  | 'permission-denied'
  | 'permission-evaluation-failed'
  | 'rate-limited'
  | 'timeout';

export class InstantLocalError extends Error {
  constructor(
    readonly type: InstantErrorType,
    message: string,
    /** `null` where Instant's server sends no hint (e.g. the magic-code limits). */
    readonly hint: Record<string, unknown> | null = {},
    readonly status = type === 'rate-limited' ? 429 : 400,
  ) {
    super(message);
  }

  toJSON() {
    return { type: this.type, message: this.message, hint: this.hint };
  }
}

/** Instant's throw-validation-err!: the errors' messages joined into the top-level message. */
export function validationError(
  dataType: string,
  input: unknown,
  messages: (string | { message?: string; [k: string]: unknown })[],
) {
  const base = `Validation failed for ${dataType}`;
  const errors = messages.map((m) => (typeof m === 'string' ? { message: m } : m));
  const texts = errors.flatMap((e) => (e.message === undefined ? [] : [e.message]));
  const message = texts.length ? `${base}: ${texts.join(', ')}` : base;
  return new InstantLocalError('validation-failed', message, {
    'data-type': dataType,
    input,
    errors,
  });
}

/** Instant's `assert-permitted!`: the failed check is named as `[etype, scope]`. */
export function permissionDenied(etype: string, scope: 'object' | 'attr' = 'object') {
  return new InstantLocalError('permission-denied', 'Permission denied: not perms-pass?', {
    input: [etype, scope],
    expected: 'perms-pass?',
  });
}

export function notFound(recordType: string, extra: Record<string, unknown> = {}) {
  return new InstantLocalError('record-not-found', `Record not found: ${recordType}`, {
    'record-type': recordType,
    ...extra,
  });
}

export function toInstantError(e: unknown): InstantLocalError {
  if (e instanceof InstantLocalError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new InstantLocalError('validation-failed', message, { errors: [{ message }] });
}
