import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest } from '../errors.ts';
import { nowSeconds } from '../ids.ts';
import { matchesRange, paginate } from '../lists.ts';
import { boolParam, parseParams } from '../params.ts';
import { resourceRoutes } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { listParams } from './shared-params.ts';

const listSchema = z.strictObject({
  ...listParams,
  type: z.string().optional(),
  types: z.array(z.string()).max(20).optional(),
  delivery_success: boolParam.optional(),
});

/** Stripe keeps events for 30 days; `events.list` shows no older ones. */
const RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** `checkout.session.*` style wildcards, as Stripe's `type` filter allows. */
function typeMatches(type: string, filter: string): boolean {
  if (!filter.includes('*')) return type === filter;
  const re = new RegExp(
    `^${filter
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(type);
}

export function eventRoutes(router: Router): void {
  // Listing events has its own filters (type wildcards, delivery) and retention.
  resourceRoutes(router, '/v1/events', 'event');

  router.get('/v1/events', ({ account, params, url }) => {
    const p = parseParams(listSchema, params);
    if (p.type && p.types) throw invalidRequest('You may only specify one of these parameters: type, types.', 'type');
    const cutoff = nowSeconds() - RETENTION_SECONDS;
    const items = account.store
      .all<Stripe.Event>('event')
      .filter(
        (e) =>
          e.created >= cutoff &&
          (p.type === undefined || typeMatches(e.type, p.type)) &&
          (p.types === undefined || p.types.some((t) => typeMatches(e.type, t))) &&
          (p.delivery_success === undefined || (e.pending_webhooks === 0) === p.delivery_success) &&
          matchesRange(e.created, params.created, 'created'),
      );
    return paginate(items, params, url);
  });
}
