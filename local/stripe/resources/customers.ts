import type Stripe from 'stripe';
import { z } from 'zod';
import type { LocalAccount, EventRequest } from '../account.ts';
import { nowSeconds, randomToken } from '../ids.ts';
import { stableText } from '../../faults/fault-plan.ts';
import { mergeMetadata, metadataParam, parseParams } from '../params.ts';
import { resourceRoutes, storeCreated } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { optionalText } from './shared-params.ts';

const fields = { email: optionalText, name: optionalText, description: optionalText, phone: optionalText };
const createSchema = z.strictObject({ ...fields, metadata: metadataParam.optional() });

export function createCustomer(
  account: LocalAccount,
  input: {
    email?: string | null;
    name?: string | null;
    description?: string;
    phone?: string;
    metadata?: Record<string, string>;
  },
  request?: EventRequest,
): Stripe.Customer {
  const customer = {
    id: account.ids.next('cus', stableText(input), 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: nowSeconds(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: input.description ?? null,
    discount: null,
    email: input.email ?? null,
    invoice_prefix: randomToken(8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: input.metadata ?? {},
    name: input.name ?? null,
    next_invoice_sequence: 1,
    phone: input.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  } as unknown as Stripe.Customer;
  return storeCreated(account, 'customer', customer, request);
}

export function customerRoutes(router: Router): void {
  router.post('/v1/customers', ({ account, params, request }) => {
    const p = parseParams(createSchema, params);
    return createCustomer(account, { ...p, metadata: mergeMetadata({}, p.metadata) }, request);
  });

  // Stripe's email filter is exact and case-sensitive.
  const list = { filters: { email: optionalText } };
  resourceRoutes(router, '/v1/customers', 'customer', { update: { copy: fields }, list, delete: {} });
}
