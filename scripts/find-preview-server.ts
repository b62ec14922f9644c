import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

function readPackage(name: string): { version: string; bin?: Record<string, string> } | undefined {
  const file = join(PROJECT_ROOT, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

export interface PreviewServer {
  /** The `email` CLI of react-email (a dependency). */
  cli: string;
  /** `email dev` runs only with @react-email/ui of exactly its own version, and offers to install one otherwise. */
  wanted: string;
  /** The installed @react-email/ui, if any. Not in package.json: see scripts/email-dev.ts. */
  installed: string | undefined;
}

export function findPreviewServer(): PreviewServer {
  const reactEmail = readPackage('react-email');
  if (!reactEmail?.bin?.email) throw new Error('react-email is not installed: run `npm ci` first');
  return {
    cli: join(PROJECT_ROOT, 'node_modules', 'react-email', reactEmail.bin.email),
    wanted: reactEmail.version,
    installed: readPackage('@react-email/ui')?.version,
  };
}
