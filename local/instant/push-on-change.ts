// Keeps a local Instant app on the project's instant.schema.ts and instant.perms.ts the way a
// real app is kept on them: instant-cli pushes them on start and again whenever one changes.
// A push the server refuses (a rule that doesn't parse, a `unique` that stored data breaks) is
// reported with the file and the server's message, and what was last pushed stays in force.
import { watch } from 'node:fs';
import { PERMS_FILE, SCHEMA_FILE } from './project-config.ts';
import { runInstantCli, type CliTarget } from './instant-cli-runner.ts';

export type PushResult = { what: 'schema' | 'perms'; file: string; ok: boolean; report: string };
export type ProjectPusher = {
  /** The pushes made on start (schema, then perms: a refused schema doesn't hold the rules back). */
  initial: Promise<PushResult[]>;
  close(): void;
};

type Log = { info(msg: string): void; error(msg: string): void };
const consoleLog: Log = { info: (m) => console.log(m), error: (m) => console.error(m) };

const FILE_OF = { schema: SCHEMA_FILE, perms: PERMS_FILE };

/** The CLI's lines worth reading: its errors and results, without spinners and SDK detection. */
function report(output: string): string {
  return output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(
      (l) =>
        l.trim() &&
        !/^[\u2800-\u28ff]/.test(l.trim()) &&
        !/^(Checking for an Instant SDK|Found @instantdb|Finished )/.test(l.trim()),
    )
    .filter((l, i, all) => all.indexOf(l) === i)
    .join('\n');
}

export function pushProjectOnChange(
  target: CliTarget,
  opts: { root?: string; log?: Log; onPush?: (r: PushResult) => void } = {},
): ProjectPusher {
  const root = opts.root ?? process.cwd();
  const log = opts.log ?? consoleLog;
  // One push at a time, in the order the changes came (the CLI diffs against what it pulls).
  let queue: Promise<unknown> = Promise.resolve();
  const push = (what: PushResult['what']) => {
    const run = queue.then(async (): Promise<PushResult> => {
      const res = await runInstantCli(['push', what], { cwd: root, target });
      const result = { what, file: FILE_OF[what], ok: res.code === 0, report: report(res.output) };
      if (result.ok) log.info(`[instant] pushed ${result.file}`);
      else
        log.error(
          `[instant] ${result.file} refused; the last pushed ${what} stays in force:\n${result.report.replace(/^/gm, '  ')}`,
        );
      opts.onPush?.(result);
      return result;
    });
    queue = run.catch(() => {});
    return run;
  };

  const timers = new Map<string, NodeJS.Timeout>();
  // The directory, not the files: editors replace a file on save, which ends a file watch.
  const watcher = watch(root, (_event, name) => {
    const what = name === SCHEMA_FILE ? 'schema' : name === PERMS_FILE ? 'perms' : null;
    if (!what) return;
    clearTimeout(timers.get(what));
    timers.set(
      what,
      setTimeout(() => void push(what), 50),
    );
  });

  return {
    initial: Promise.all([push('schema'), push('perms')]),
    close() {
      watcher.close();
      for (const t of timers.values()) clearTimeout(t);
    },
  };
}
