import type { ReactNode } from 'react';
import type { useOpsAction } from './useOpsAction.ts';

/** A secondary button that runs one operator action (disabled while it runs); `run` says what happened. */
export function ActionButton({
  action,
  run,
  testId,
  children,
}: {
  action: ReturnType<typeof useOpsAction>;
  run: () => Promise<string>;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <button className="secondary" disabled={action.busy} data-testid={testId} onClick={() => void action.run(run)}>
      {children}
    </button>
  );
}
