import { z } from 'zod';
import { invalidRequest, missingParam, type StripeApiError } from './errors.ts';
import type { FormObject, FormValue } from './form-encoding.ts';

/** `a[0][b]` from a zod path, the way Stripe names params in errors. */
export function paramName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (i === 0 ? String(p) : `[${String(p)}]`)).join('');
}

function valueAt(root: FormValue, path: readonly PropertyKey[]): FormValue | undefined {
  let node: FormValue | undefined = root;
  for (const p of path) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = Array.isArray(node) ? node[Number(p)] : node[String(p)];
  }
  return node;
}

function toStripeError(error: z.ZodError, params: FormObject): StripeApiError {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const name = paramName([...issue.path, issue.keys[0]]);
    return invalidRequest(
      `Received unknown parameter: ${name}. (The local Stripe stand-in does not support it; see local/stripe/README.md.)`,
      name,
      'parameter_unknown',
    );
  }
  const name = paramName(issue.path);
  if (valueAt(params, issue.path) === undefined) return missingParam(name);
  return invalidRequest(`Invalid ${name}: ${issue.message}`, name, 'parameter_invalid');
}

/** Validates form params, answering Stripe-shaped errors that name the param. */
export function parseParams<S extends z.ZodType>(schema: S, params: FormObject): z.infer<S> {
  const { expand: _expand, ...rest } = params;
  const result = schema.safeParse(rest);
  if (!result.success) throw toStripeError(result.error, rest);
  return result.data;
}

// Form values arrive as strings; these coerce them as Stripe's API does.
export const intParam = z
  .string()
  .regex(/^-?\d+$/, 'must be an integer')
  .transform(Number);
export const nonNegativeInt = intParam.refine((n) => n >= 0, 'must be zero or greater');
export const positiveInt = intParam.refine((n) => n > 0, 'must be greater than zero');
export const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');
export const currencyParam = z
  .string()
  .regex(/^[a-zA-Z]{3}$/, 'must be a three-letter ISO currency code')
  .transform((c) => c.toLowerCase());

/** Metadata: up to 50 string pairs. On update `''` as a value deletes the key. */
export const metadataParam = z.union([
  z.literal(''),
  z
    .record(
      z.string().max(40, 'keys must be at most 40 characters'),
      z.string().max(500, 'values must be at most 500 characters'),
    )
    .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys'),
]);
export type MetadataInput = z.infer<typeof metadataParam>;

export function mergeMetadata(
  current: Record<string, string>,
  update: MetadataInput | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === '') return {};
  const next = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete next[k];
    else next[k] = v;
  }
  return next;
}

export function stringParam(params: FormObject, name: string): string | undefined {
  const v = params[name];
  return typeof v === 'string' ? v : undefined;
}

/** `expand[]` as a list of dotted paths. */
export function expandPaths(params: FormObject): string[] {
  const e = params.expand;
  if (e === undefined) return [];
  if (typeof e === 'string') return [e];
  if (Array.isArray(e) && e.every((x): x is string => typeof x === 'string')) return e;
  throw invalidRequest('Invalid expand: must be an array of strings', 'expand');
}
