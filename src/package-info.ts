import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder paperboy is installed in (the one with its package.json), found from this module's own location:
 * the sources run from `src/` in tests and from `dist/src/` when built, so the depth differs. Files shipped with
 * the program (the compatibility baseline, the sample config) are read from here, never from the working folder.
 */
export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/** The version in paperboy's package.json (`paperboy --version`). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

/** A file shipped with paperboy, by its path inside the package. */
export function packageFile(path: string): string {
  return join(packageRoot, path);
}
