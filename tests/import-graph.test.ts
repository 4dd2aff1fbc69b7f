// The shape of the code's imports: no module imports itself through others (no circles), the
// api/_lib groups import one way only, and the layers keep to their side (web/ and api/ never
// import local/; local/ never imports scripts/).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', '*.ts', '*.tsx'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && existsSync(f) && !f.startsWith('node_modules/'));

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Each file's relative imports, as repository paths. */
const graph = new Map(
  files.map((f) => [
    f,
    [...readFileSync(f, 'utf8').matchAll(IMPORT)]
      .map((m) => normalize(join(dirname(f), m[1] ?? m[2])))
      .filter((t) => existsSync(t)),
  ]),
);

function circles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    path.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') found.push([...path.slice(path.indexOf(t)), t]);
      else if (!state.has(t)) visit(t);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

const importsOf = (prefix: string) =>
  [...graph].filter(([f]) => f.startsWith(prefix)).flatMap(([f, ts]) => ts.map((t) => `${f} -> ${t}`));

describe('imports', () => {
  it('finds the files it checks', () => {
    expect(graph.get('api/stripe/webhook.ts')).toContain('api/_lib/fulfillment/process-event.ts');
  });

  it('form no circles', () => {
    expect(circles().map((c) => c.join(' -> '))).toEqual([]);
  });

  it('run one way between the api/_lib groups', () => {
    // A group may import the groups before it, never one after it.
    const order = ['platform', 'credits', 'receipts', 'fulfillment', 'checkout', 'files', 'ops'];
    const group = (f: string) => /^api\/_lib\/([^/]+)\//.exec(f)?.[1];
    const backwards = importsOf('api/_lib/').filter((edge) => {
      const [from, to] = edge.split(' -> ').map(group);
      return from && to && order.indexOf(to) > order.indexOf(from);
    });
    expect(order).toEqual(expect.arrayContaining(files.map(group).filter((g): g is string => Boolean(g))));
    expect(backwards).toEqual([]);
  });

  it('keep web/ and api/ off local/, and local/ off scripts/', () => {
    const crossing = [...importsOf('web/'), ...importsOf('api/')].filter((e) =>
      e.split(' -> ')[1].startsWith('local/'),
    );
    expect(crossing).toEqual([]);
    expect(importsOf('local/').filter((e) => e.split(' -> ')[1].startsWith('scripts/'))).toEqual([]);
  });
});
