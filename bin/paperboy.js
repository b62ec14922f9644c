#!/usr/bin/env node
// The installed `paperboy` command. The sources are TypeScript run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { runCli, processIO } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), processIO());
