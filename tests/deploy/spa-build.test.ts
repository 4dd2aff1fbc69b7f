// The production build of the SPA ships public thumbnails only: no full-resolution wallpaper,
// no private product file, and no server secret, whatever the build's environment holds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpa, filesIn, filesWithSecrets } from '../../scripts/build-scan.ts';
import { WALLPAPERS } from '../../catalog/wallpapers.ts';

let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'spa-build-'));
  buildSpa(out);
}, 120_000);
afterAll(() => out && rmSync(out, { recursive: true, force: true }));

describe('production build', () => {
  it('contains every thumbnail and index.html', () => {
    const files = filesIn(out).map((f) => relative(out, f));
    expect(files).toContain('index.html');
    for (const w of WALLPAPERS) expect(files).toContain(`thumbnails/${w.slug}.png`);
  });

  it('contains no private file, byte for byte', () => {
    const privateFiles = [...filesIn('private/wallpapers'), ...filesIn('private/products')].map((f) => readFileSync(f));
    const shipped = filesIn(out).map((f) => readFileSync(f));
    for (const p of privateFiles) expect(shipped.some((s) => s.equals(p))).toBe(false);
  });

  it('contains no server secret (the build ran with decoy values set)', () => {
    expect(filesWithSecrets(out)).toEqual([]);
  });
});
