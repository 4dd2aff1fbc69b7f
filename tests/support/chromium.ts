// The Chromium the browser tests and benches drive: `CHROMIUM_PATH` when set, otherwise the one
// shipped inside the pinned @sparticuz/chromium package (brotli-compressed; needs only glibc,
// libnss3, libnspr4, libexpat1), so `npm ci && npm test` needs no system browser.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);

/** The pinned @sparticuz/chromium version (its major is Chromium's). */
export function packagedChromiumVersion(): string {
  // The package exports no ./package.json: read it beside its entry point (build/index.js).
  const manifest = join(dirname(require.resolve('@sparticuz/chromium')), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Where the pinned package's Chromium is unpacked: one folder per package version. */
export function packagedChromiumDir(): string {
  return join(tmpdir(), `instant-shop-chromium-${packagedChromiumVersion()}`);
}

/**
 * The package unpacks into `os.tmpdir()` and trusts any file already there, so it is run in a
 * child with its own fresh TMPDIR and the folder is renamed into place whole: test files starting
 * at once never see a half-written binary, and no other version's leftovers are picked up.
 */
async function unpackChromium(dir: string): Promise<string> {
  const binary = join(dir, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(join(tmpdir(), 'instant-shop-chromium-unpacking-'));
  try {
    const script = "const c = (await import('@sparticuz/chromium')).default; await c.executablePath();";
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, TMPDIR: staging },
      cwd: import.meta.dirname,
    });
    renameSync(staging, dir);
  } catch (e) {
    // Another process renamed its copy into place first: use that one.
    if (!existsSync(binary)) throw e;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

export async function chromiumPath(): Promise<string> {
  return process.env.CHROMIUM_PATH || unpackChromium(packagedChromiumDir());
}
