import type { ExportInput } from '../../../../contracts/ops.ts';
import { postForFile } from '../../api-client.ts';
import { ActionButton } from '../ActionButton.tsx';
import { useOpsAction } from '../useOpsAction.ts';
import { ErrorNote } from '../../ErrorNote.tsx';

const EXPORTS: { what: ExportInput['what']; label: string }[] = [
  { what: 'purchases', label: 'Purchases' },
  { what: 'ledger', label: 'Ledger entries' },
  { what: 'webhooks', label: 'Webhook log' },
];

/** Hands bytes to the browser as a download (an object URL on a link with `download`), then lets go of them. */
function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the bytes once the click's task is over.
  setTimeout(() => URL.revokeObjectURL(url));
}

/**
 * CSV of the range's purchases, ledger entries or webhook log. Fetched like every operator call, the
 * token in the Authorization header (never in a URL a link or the history could keep); the server audits it.
 */
export function Exports({ range, refreshToken }: { range: Omit<ExportInput, 'what'>; refreshToken: string }) {
  const action = useOpsAction(() => {});
  return (
    <section className="card" data-testid="ov-exports">
      <h2>Export</h2>
      <p className="row">
        <span className="muted">
          CSV, {range.from} to {range.to} ({range.timeZone}):
        </span>
        {EXPORTS.map((e) => (
          <ActionButton
            key={e.what}
            action={action}
            testId={`ov-export-${e.what}`}
            run={async () => {
              const file = await postForFile('/api/ops/export', { ...range, what: e.what }, { refreshToken });
              const name = file.name ?? `${e.what}-${range.from}-to-${range.to}.csv`;
              saveFile(file.blob, name);
              return `Saved ${name}.`;
            }}
          >
            {e.label}
          </ActionButton>
        ))}
      </p>
      {action.message ? <p data-testid="ov-export-result">{action.message}</p> : null}
      <ErrorNote error={action.error} />
    </section>
  );
}
