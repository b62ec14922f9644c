// The `prepare` script (`npm install` / `npm ci` in a checkout, `npm pack`): builds dist/. TypeScript is a dev
// dependency, so `npm ci --omit=dev` cannot build: it keeps an existing build, or says what to do instead of
// failing with "tsc: not found".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  if (existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
    console.error('paperboy: TypeScript is not installed (--omit=dev): keeping the existing build in dist/');
    process.exit(0);
  }
  console.error(
    'paperboy: cannot build dist/: TypeScript is a dev dependency. Run `npm ci` (with dev dependencies), or build ' +
      'first and then `npm prune --omit=dev`.',
  );
  process.exit(1);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
