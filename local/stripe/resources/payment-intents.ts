import type Stripe from 'stripe';
import { z } from 'zod';
import { matchesRange, paginate } from '../lists.ts';
import { mergeMetadata, metadataParam, parseParams } from '../params.ts';
import type { Router } from '../router.ts';
import { applyChanges } from '../updates.ts';
import { listParams } from './shared-params.ts';

const listSchema = z.strictObject({ ...listParams, customer: z.string().optional() });
const chargeListSchema = z.strictObject({ ...listParams, customer: z.string().optional(), payment_intent: z.string().optional() });
const updateSchema = z.strictObject({ metadata: metadataParam.optional(), description: z.string().optional() });

/**
 * Payment intents and charges are made by Checkout here; the API reads them
 * and updates metadata. Creating or confirming them directly is not covered.
 */
export function paymentIntentRoutes(router: Router): void {
  router.get('/v1/payment_intents/:id', ({ account, path }) => account.store.require('payment_intent', path.id));

  router.post('/v1/payment_intents/:id', ({ account, params, path, request }) => {
    const pi = account.store.require<Stripe.PaymentIntent>('payment_intent', path.id);
    const p = parseParams(updateSchema, params);
    const previous = applyChanges(pi, {
      description: p.description,
      metadata: p.metadata === undefined ? undefined : mergeMetadata(pi.metadata, p.metadata),
    });
    if (previous) account.emit('payment_intent.updated', pi, { previous_attributes: previous, request });
    return pi;
  });

  router.get('/v1/payment_intents', ({ account, params, url }) => {
    const p = parseParams(listSchema, params);
    const items = account.store
      .all<Stripe.PaymentIntent>('payment_intent')
      .filter((x) => (p.customer === undefined || x.customer === p.customer) && matchesRange(x.created, params.created, 'created'));
    return paginate(items, params, url);
  });

  router.get('/v1/payment_methods/:id', ({ account, path }) => account.store.require('payment_method', path.id));

  router.get('/v1/charges/:id', ({ account, path }) => account.store.require('charge', path.id));

  router.post('/v1/charges/:id', ({ account, params, path, request }) => {
    const charge = account.store.require<Stripe.Charge>('charge', path.id);
    const p = parseParams(updateSchema, params);
    const previous = applyChanges(charge, {
      description: p.description,
      metadata: p.metadata === undefined ? undefined : mergeMetadata(charge.metadata, p.metadata),
    });
    if (previous) account.emit('charge.updated', charge, { previous_attributes: previous, request });
    return charge;
  });

  router.get('/v1/charges', ({ account, params, url }) => {
    const p = parseParams(chargeListSchema, params);
    const items = account.store
      .all<Stripe.Charge>('charge')
      .filter(
        (x) =>
          (p.customer === undefined || x.customer === p.customer) &&
          (p.payment_intent === undefined || x.payment_intent === p.payment_intent) &&
          matchesRange(x.created, params.created, 'created'),
      );
    return paginate(items, params, url);
  });
}
