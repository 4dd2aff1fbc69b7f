import type { HTMLAttributes, ReactNode } from 'react';

/** One column: its header, what a row shows in it, and `num` for right-aligned figures. */
export type Column<T> = { header: ReactNode; cell: (row: T) => ReactNode; num?: boolean };

type RowAttributes = HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | number | undefined>;

/** The one table of the app (ledgers, operator lists, chart figures): header row, then a row per item. */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  rowProps,
  caption,
  label,
  className = '',
  testId,
}: {
  rows: readonly T[];
  columns: Column<T>[];
  /** A row's React key: by default its `id`. */
  rowKey?: (row: T) => string | number;
  /** Extra attributes of a row (`data-*` for tests). */
  rowProps?: (row: T) => RowAttributes;
  /** The table's accessible name, shown above it; `label` names it without showing (a heading already does). */
  caption?: ReactNode;
  label?: string;
  className?: string;
  testId?: string;
}) {
  const key = rowKey ?? ((row: T) => (row as { id: string }).id);
  return (
    <table className={`ledger ${className}`.trim()} data-testid={testId} aria-label={label}>
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i} scope="col" className={c.num ? 'num' : undefined}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={key(row)} {...rowProps?.(row)}>
            {columns.map((c, i) => (
              <td key={i} className={c.num ? 'num' : undefined}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
