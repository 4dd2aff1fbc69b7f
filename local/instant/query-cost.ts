// Bounds on what one query may cost. Instant's server bounds a query by time: Postgres cancels a
// statement after 30 s (`sql/*query-timeout-seconds*`), answered as `{type: "timeout", message:
// "The query took too long to complete."}` (HTTP 429; status 500 over the WebSocket), and the
// session gives up on an event after 5 s (`operation-timed-out`). instant-local answers in one
// synchronous pass, so a costly query would stall every other client; instead it counts the work
// (nesting depth, entities visited, triples returned) and refuses a query past a bound with the
// same error type, naming the bound in `hint`. Counting rather than timing keeps it deterministic.
import { InstantLocalError } from './errors.ts';

export const QUERY_LIMITS = {
  /** Levels of nested links below a top-level namespace. */
  maxDepth: 12,
  /** Link hops of `where` paths plus every entity occurrence in the answer's tree. */
  maxVisits: 250_000,
  /** Triples in one answer. */
  maxTriples: 500_000,
};

export function queryTooCostly(limit: keyof typeof QUERY_LIMITS, seen: number): InstantLocalError {
  const what = {
    maxDepth: `it nests links more than ${QUERY_LIMITS.maxDepth} levels deep`,
    maxVisits: `it looks at or returns more than ${QUERY_LIMITS.maxVisits} entities`,
    maxTriples: `its answer has more than ${QUERY_LIMITS.maxTriples} triples`,
  }[limit];
  return new InstantLocalError(
    'timeout',
    'The query took too long to complete.',
    {
      limit,
      [limit]: QUERY_LIMITS[limit],
      seen,
      message: `instant-local refused the query: ${what}. Nest less, or page with \`limit\`.`,
    },
    429,
  );
}

/** Depth of link nesting below a top-level form (counting stops past the bound). */
export function formDepth(form: unknown, level = 0): number {
  if (!form || typeof form !== 'object' || Array.isArray(form) || level > QUERY_LIMITS.maxDepth) return level;
  let max = level;
  for (const [label, sub] of Object.entries(form)) {
    if (label === '$' || !sub || typeof sub !== 'object') continue;
    max = Math.max(max, formDepth(sub, level + 1));
  }
  return max;
}

/** Work counter for one query run. */
export class Budget {
  private visits = 0;

  visit(n = 1) {
    this.visits += n;
    if (this.visits > QUERY_LIMITS.maxVisits) throw queryTooCostly('maxVisits', this.visits);
  }

  triples(count: number) {
    if (count > QUERY_LIMITS.maxTriples) throw queryTooCostly('maxTriples', count);
  }
}
