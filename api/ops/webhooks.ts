// POST /api/ops/webhooks {type?, outcome?, q?, limit?}: the webhook log, newest first (operators only).
import { opsEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('webhooks');
