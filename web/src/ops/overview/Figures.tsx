import type { ReactNode } from 'react';

/** A row of headline figures, each a label over its value; `data-figure` names it for tests. */
export function Figures({
  items,
  testId,
}: {
  items: { key: string; label: string; value: ReactNode }[];
  testId?: string;
}) {
  return (
    <dl className="figures" data-testid={testId}>
      {items.map((f) => (
        <div key={f.key} data-figure={f.key}>
          <dt>{f.label}</dt>
          <dd>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}
