import { z } from 'zod';
import { StripeApiError, invalidRequest } from './errors.ts';
import type { FormObject, FormValue } from './form-encoding.ts';
import type { StoredObject } from './store.ts';

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

const pagingSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
});

/**
 * Cursor paging over newest-first items, as Stripe does it: `starting_after`
 * walks towards older objects, `ending_before` towards newer ones.
 */
export function paginate<T extends StoredObject>(items: T[], params: FormObject, url: string): ListObject<T> {
  const parsed = pagingSchema.safeParse({
    limit: params.limit,
    starting_after: params.starting_after,
    ending_before: params.ending_before,
  });
  if (!parsed.success) {
    throw invalidRequest('Invalid paging parameters: limit must be an integer between 1 and 100.', 'limit');
  }
  const { limit = 10, starting_after, ending_before } = parsed.data;
  if (starting_after && ending_before) {
    throw invalidRequest(
      'You may only specify one of these parameters: starting_after, ending_before.',
      'starting_after',
    );
  }
  const indexOf = (id: string, param: string): number => {
    const i = items.findIndex((o) => o.id === id);
    if (i === -1) {
      throw new StripeApiError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such object: '${id}'`,
        param,
      });
    }
    return i;
  };
  if (ending_before) {
    const end = indexOf(ending_before, 'ending_before');
    const start = Math.max(0, end - limit);
    return { object: 'list', data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = starting_after ? indexOf(starting_after, 'starting_after') + 1 : 0;
  const data = items.slice(start, start + limit);
  return { object: 'list', data, has_more: start + limit < items.length, url };
}

/** Stripe's range filter: `created=123` or `created[gte]=…&created[lt]=…`. */
export function matchesRange(value: number, filter: FormValue | undefined, param: string): boolean {
  if (filter === undefined) return true;
  const num = (v: FormValue | undefined, p: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isInteger(n)) throw invalidRequest(`Invalid integer: ${String(v)}`, p);
    return n;
  };
  if (typeof filter === 'string') return value === num(filter, param);
  if (Array.isArray(filter)) throw invalidRequest(`Invalid ${param}: must be an integer or a hash`, param);
  const gt = num(filter.gt, `${param}[gt]`);
  const gte = num(filter.gte, `${param}[gte]`);
  const lt = num(filter.lt, `${param}[lt]`);
  const lte = num(filter.lte, `${param}[lte]`);
  return (
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte)
  );
}
