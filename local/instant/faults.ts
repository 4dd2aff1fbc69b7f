// Fault controls of the Instant stand-in (off by default, per app, behind its admin token):
// slow commits, refused transactions, admin transacts that commit and then lose their answer,
// and dropped WebSocket connections. Chosen by local/faults/fault-plan.ts: the same seed
// injects the same faults into the same requests.
import { FaultPlan } from '../faults/fault-plan.ts';

export const INSTANT_FAULTS = ['refuse', 'lost_answer', 'slow', 'drop_socket'] as const;
export type InstantFault = (typeof INSTANT_FAULTS)[number];

/** Rule paths: `/admin/transact`, `/admin/query`, and `ws:<op>` (`ws:transact`, `ws:add-query`) for socket messages. */
export function newInstantFaults(): FaultPlan<InstantFault> {
  // `slow` holds a commit for `hang_ms` before it runs.
  return new FaultPlan(INSTANT_FAULTS, { hangMs: 2000 });
}

/** Thrown after a commit whose answer must be lost: the server drops the connection instead of answering. */
export class LostAnswer extends Error {
  override name = 'LostAnswer';
}
