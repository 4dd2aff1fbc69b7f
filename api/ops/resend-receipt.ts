// POST /api/ops/resend-receipt {sessionId}: sends the purchase's receipt again (operators only).
import { opsEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('resend-receipt');
