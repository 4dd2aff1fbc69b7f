import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { AttentionKind, AttentionPage, FoundPurchase } from '../../../contracts/ops.ts';
import { ErrorNote } from '../ErrorNote.tsx';
import { opsCall } from './api.ts';
import { ATTENTION_LABEL } from './overview/Attention.tsx';
import { PurchaseActions } from './PurchaseActions.tsx';
import { PurchaseTable } from './PurchaseTable.tsx';
import { useOpsAction } from './useOpsAction.ts';

const PAGE = 25;

/** The purchases behind one attention count, a page at a time (the server pages; the page appends). */
export function AttentionList({ refreshToken }: { refreshToken: string }) {
  const kind = useParams().kind as AttentionKind;
  const known = Object.hasOwn(ATTENTION_LABEL, kind);
  const [rows, setRows] = useState<FoundPurchase[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const load = useOpsAction(() => {});
  // The list being shown: an answer for another kind (or operator) that arrives late is dropped.
  const current = useRef('');
  current.current = `${kind} ${refreshToken}`;

  const fetchPage = (cursor: string | undefined, before: FoundPurchase[]) =>
    load.run(async () => {
      const asked = current.current;
      const page = await opsCall<AttentionPage>('attention', refreshToken, { kind, cursor, limit: PAGE });
      if (asked !== current.current) return '';
      setRows([...before, ...page.rows]);
      setNext(page.nextCursor);
      setDone(true);
      return '';
    });
  useEffect(() => {
    setRows([]);
    setDone(false);
    if (known) void fetchPage(undefined, []);
    // A new kind starts over; `fetchPage` only sets state.
  }, [kind, refreshToken]);

  return (
    <section className="card" data-testid="ops-attention" data-kind={kind} data-loaded={done}>
      <p>
        <Link to="/ops">← Overview</Link>
      </p>
      <h2>{known ? ATTENTION_LABEL[kind] : 'Unknown list'}</h2>
      {!known ? <p className="error">There is no attention list called “{kind}”.</p> : null}
      <ErrorNote error={load.error} />
      {done && rows.length === 0 ? <p className="muted">Nothing here: all clear.</p> : null}
      {rows.length ? (
        <PurchaseTable
          purchases={rows}
          testId="ops-attention-rows"
          withEmail
          actions={(p) => (
            <PurchaseActions purchase={p} refreshToken={refreshToken} onDone={() => void fetchPage(undefined, [])} />
          )}
        />
      ) : null}
      {next ? (
        <button className="secondary" disabled={load.busy} onClick={() => void fetchPage(next, rows)}>
          More
        </button>
      ) : null}
    </section>
  );
}
