// Request parameters read the way Instant's server reads them (instant.util.exception/get-param!):
// a missing one is `param-missing`, one its coercer refuses is `param-malformed`, and both name
// the parameter by its path, e.g. `Missing parameter: ["body" "email"]`.
import { InstantLocalError } from './errors.ts';

export type ParamPath = string[];
export type Coercer<T> = (v: unknown) => T | null;

/** Instant's own wording of a path: `["headers" "app-id"]`. */
const show = (path: ParamPath) => `[${path.map((p) => JSON.stringify(p)).join(' ')}]`;

// Upstream tests a parameter with Clojure truthiness: only null/undefined (nil) and false are absent.
const present = (v: unknown) => v !== undefined && v !== null && v !== false;

export function paramMissing(path: ParamPath, possibleIns?: ParamPath[]) {
  return new InstantLocalError('param-missing', `Missing parameter: ${show(path)}`, {
    in: path,
    ...(possibleIns ? { 'possible-ins': possibleIns } : {}),
  });
}

export function paramMalformed(path: ParamPath, input: unknown, possibleIns?: ParamPath[]) {
  return new InstantLocalError('param-malformed', `Malformed parameter: ${show(path)}`, {
    in: path,
    ...(possibleIns ? { 'possible-ins': possibleIns } : {}),
    'original-input': input,
  });
}

/** Reads parameters from one request: `body`, `headers`, `query-params` / `params` (the query string). */
export class Params {
  constructor(private readonly read: (path: ParamPath) => unknown) {}

  required<T>(path: ParamPath, coerce: Coercer<T>): T {
    const v = this.read(path);
    if (!present(v)) throw paramMissing(path);
    const c = coerce(v);
    if (c === null) throw paramMalformed(path, v);
    return c;
  }

  optional<T>(path: ParamPath, coerce: Coercer<T>): T | undefined {
    const v = this.read(path);
    if (!present(v)) return undefined;
    const c = coerce(v);
    if (c === null) throw paramMalformed(path, v);
    return c;
  }

  /** The first of several places a parameter may be given (e.g. header `app-id` or `?app_id=`). */
  some<T>(paths: ParamPath[], coerce: Coercer<T>): T {
    const found = paths.find((p) => present(this.read(p)));
    if (!found) throw paramMissing(paths[0], paths.slice(1));
    const v = this.read(found);
    const c = coerce(v);
    if (c === null) throw paramMalformed(found, v, paths);
    return c;
  }
}

const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lower-cased, trimmed and shaped like an email. */
export const email: Coercer<string> = (v) => {
  if (typeof v !== 'string') return null;
  const e = v.toLowerCase().trim();
  return EMAIL.test(e) ? e : null;
};

export const uuid: Coercer<string> = (v) =>
  typeof v === 'string' && UUID.test(v.trim()) ? v.trim().toLowerCase() : null;

export const trimmed: Coercer<string> = (v) => (typeof v === 'string' ? v.trim() : null);

export const nonBlank: Coercer<string> = (v) =>
  typeof v === 'number' ? String(v) : typeof v === 'string' && v.trim() ? v.trim() : null;
