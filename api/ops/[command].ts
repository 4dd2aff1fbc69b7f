// POST /api/ops/<command>: every operator command, one function (a deployment counts each file
// in api/ as a function). The commands, their inputs and the audit trail: _lib/ops/commands.ts.
//   me · find {email} · recover {email} · resend-receipt {sessionId} · refund {sessionId, amount?, requestId?}
//   reconcile {since?} · webhooks {type?, outcome?, q?, limit?} · replay {eventId, via?} · audit {limit?}
//   overview {range, from?, to?, timeZone} · attention {kind, cursor?, limit?}
//   export {what, from, to, timeZone} (answers CSV)
// PUT /api/ops/recover {email, exp, nonce, sig}: the buyer's browser redeems a recovery link
// for an Instant refresh token (no operator: the link's signature is the authority).
import { opsEndpoint, opsPutEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint;
export const PUT = opsPutEndpoint;
