// POST /api/ops/replay {eventId, via?}: runs a Stripe event through the webhook's path again (operators only).
import { opsEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('replay');
