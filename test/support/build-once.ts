// Vitest global setup: tests that start `bin/paperboy.js` run the compiled program in dist/, so it is rebuilt
// first whenever a source under src/ or emails/ is newer than the last build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    newestMtime(join(root, 'emails')),
    statSync(join(root, 'tsconfig.build.json')).mtimeMs,
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
