import type Stripe from 'stripe';
import { z } from 'zod';
import type { EndpointSecret } from '../account.ts';
import { invalidRequest } from '../errors.ts';
import { nowSeconds, randomToken } from '../ids.ts';
import { stableText } from '../../faults/fault-plan.ts';
import { boolParam, mergeMetadata, metadataParam, parseParams } from '../params.ts';
import { resourceRoutes } from '../resource-routes.ts';
import type { Router } from '../router.ts';

const urlParam = z.string().refine((u) => {
  try {
    const parsed = new URL(u);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const createSchema = z.strictObject({
  url: urlParam,
  enabled_events: z.array(z.string().min(1)).min(1),
  api_version: z.string().optional(),
  description: z.string().optional(),
  metadata: metadataParam.optional(),
  connect: boolParam.optional(),
});

const updateFields = {
  url: urlParam.optional(),
  enabled_events: z.array(z.string().min(1)).min(1).optional(),
  description: z.string().optional(),
};

export function webhookEndpointRoutes(router: Router): void {
  router.post('/v1/webhook_endpoints', ({ account, params }) => {
    const p = parseParams(createSchema, params);
    if (p.connect)
      throw invalidRequest('Connect webhook endpoints are not supported by the local stand-in.', 'connect');
    const endpoint = {
      id: account.ids.next('we', stableText(params)),
      object: 'webhook_endpoint',
      api_version: p.api_version ?? null,
      application: null,
      created: nowSeconds(),
      description: p.description ?? null,
      enabled_events: p.enabled_events,
      livemode: false,
      metadata: mergeMetadata({}, p.metadata),
      status: 'enabled',
      url: p.url,
    } as unknown as Stripe.WebhookEndpoint;
    const secret = `whsec_${randomToken(32)}`;
    account.store.put(endpoint);
    account.store.extra<EndpointSecret>(endpoint.id).secret = secret;
    // Like Stripe, the secret is shown only in the create response.
    return { ...endpoint, secret };
  });

  // Endpoints announce no changes, and have no `created` to list by.
  resourceRoutes(router, '/v1/webhook_endpoints', 'webhook_endpoint', {
    update: {
      copy: updateFields,
      using: { disabled: boolParam.optional() },
      changes: (_e: Stripe.WebhookEndpoint, p) => ({
        status: p.disabled === undefined ? undefined : p.disabled ? 'disabled' : 'enabled',
      }),
      event: null,
    },
    list: { created: false },
    delete: { event: null },
  });
}
