// Fault controls of the Instant stand-in (off by default, per app, behind its admin token):
// slow commits, refused transactions, admin transacts that commit and then lose their answer,
// and dropped WebSocket connections. Chosen by local/faults/fault-plan.ts: the same seed
// injects the same faults into the same requests.
import { FaultPlan, isRandomUuid, stableText } from '../faults/fault-plan.ts';

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

const maskId = (v: unknown) => (isRandomUuid(v) ? '<random>' : v);

/**
 * A transaction's fault identity: each step's action, entity type and id, and the attributes it
 * sets (or the ids it links), never their values (they hold clock readings). Random (v4) ids are
 * masked, as they differ every run; derived ids, seeded user ids and lookups are kept.
 */
export function transactIdentity(steps: unknown[]): string {
  return stableText(
    steps.map((step) => {
      if (!Array.isArray(step)) return step;
      const [action, etype, eid, attrs] = step as unknown[];
      const named = attrs && typeof attrs === 'object' && !Array.isArray(attrs) ? attrs : {};
      const what =
        action === 'link' || action === 'unlink'
          ? Object.entries(named).map(([label, ids]) => [label, Array.isArray(ids) ? ids.map(maskId) : maskId(ids)])
          : Object.keys(named).sort();
      return [action, etype, maskId(eid), what];
    }),
  );
}

/** A socket message's fault identity: its op and content, without the client's random event id and clock. */
export function socketIdentity(op: string, text: string): string {
  let message: unknown = text;
  try {
    message = { ...(JSON.parse(text) as object), 'client-event-id': undefined, created: undefined };
  } catch {
    // not JSON: the text itself
  }
  return `ws:${op} ${stableText(message)}`;
}
