#!/usr/bin/env node
// The installed `paperboy` command: runs the compiled program in dist/ (built by `npm run build`, which
// `npm install` runs in a checkout through the `prepare` script), so it works from any folder without tsx.
import module from 'node:module';

// Node ≥ 22.1 can keep the compiled code of these modules on disk between runs (in the OS temp folder), which
// takes a good part off every start; Node 20 lacks it and simply compiles.
module.enableCompileCache?.();

let main;
try {
  main = await import('../dist/src/cli/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/dist/src/cli/main.js')) {
    process.stderr.write('paperboy: the program is not built yet: run `npm run build` in the paperboy folder\n');
    process.exit(1);
  }
  throw error;
}
process.exitCode = await main.runCli(process.argv.slice(2), main.processIO());
