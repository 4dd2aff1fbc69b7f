import { z } from 'zod';
import { metadataParam } from '../params.ts';

/** Params every list endpoint takes; `created` is checked by `matchesRange`. */
export const listParams = {
  limit: z.string().optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  created: z.unknown().optional(),
};

/** Inline `product_data` of prices and Checkout's `price_data`. */
export const productDataSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  images: z.array(z.string()).optional(),
  metadata: metadataParam.optional(),
});

/** An optional string param: an id, a code, a name. */
export const optionalText = z.string().optional();

/** The filters of lists of what a charge has (refunds, disputes). */
export const chargeFilters = { charge: optionalText, payment_intent: optionalText };
