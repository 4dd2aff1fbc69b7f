export { startStripeLocal, DEFAULT_TEST_KEY, type StripeLocal, type StripeLocalOptions } from './server.ts';
export { signPayload } from './webhook-signature.ts';
export type { DeliveryAttempt, WebhookOptions } from './webhooks.ts';
