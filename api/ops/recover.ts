// POST /api/ops/recover {email}: mails the buyer an Instant sign-in code to recover purchases (operators only).
import { opsEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('recover');
