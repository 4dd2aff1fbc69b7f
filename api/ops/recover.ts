// POST /api/ops/recover {email}: mails the buyer a one-use sign-in link to recover purchases (operators only).
// PUT /api/ops/recover {email, exp, nonce, sig}: the buyer's browser redeems that link for an Instant refresh token.
import { opsEndpoint, redeemRecoveryEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('recover');
export const PUT = redeemRecoveryEndpoint;
