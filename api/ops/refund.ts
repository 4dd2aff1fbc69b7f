// POST /api/ops/refund {sessionId, amount?, requestId?}: refunds through Stripe; the webhook revokes access (operators only).
import { opsEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('refund');
