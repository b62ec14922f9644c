import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { ResolvedLocation } from '../store/database.ts';
import { readSigningSecret } from './env.ts';

/** The file next to a SQLite database that holds the secret paperboy made for itself. */
export const SECRET_FILE_NAME = 'paperboy.secret';

export interface SigningSecret {
  secret: string;
  /** Where it came from: the environment, or a file paperboy made (now or on an earlier run). */
  source: { kind: 'env' } | { kind: 'file'; file: string; created: boolean } | { kind: 'in-memory' };
}

/**
 * The key that signs the links in mails. PAPERBOY_SECRET wins. Without it, a SQLite installation gets a random
 * secret made once and kept beside its database with owner-only permissions, so a first run needs nothing
 * invented and the links of earlier mails keep working. A PostgreSQL database may be shared by several hosts,
 * which must all sign with one key: a file made on one host would not reach the others, so there the variable is
 * required.
 */
export function resolveSigningSecret(env: NodeJS.ProcessEnv, database: ResolvedLocation): SigningSecret {
  const fromEnv = readSigningSecret(env);
  if (fromEnv) return { secret: fromEnv, source: { kind: 'env' } };
  if (database.dialect === 'postgres') {
    throw new ConfigError(
      'PAPERBOY_SECRET is not set: with a PostgreSQL database every host that runs or serves paperboy must sign links ' +
        'with the same key, so set one (`openssl rand -hex 32`) in each host\'s environment.',
    );
  }
  // A database that lives only as long as the process has no links worth keeping valid.
  if (database.file === ':memory:') return { secret: randomBytes(32).toString('hex'), source: { kind: 'in-memory' } };
  return readOrCreateSecretFile(join(dirname(database.file), SECRET_FILE_NAME));
}

function readOrCreateSecretFile(file: string): SigningSecret {
  const existing = readSecretFile(file);
  if (existing !== undefined) return { secret: existing, source: { kind: 'file', file, created: false } };

  const secret = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  // Written under a temporary name and linked into place: link() fails if the file exists, so two first runs
  // started together (a run and `serve`) agree on one secret, and nobody ever reads a half-written file.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600); // the umask may have taken bits away, never added: this is for clarity
    linkSync(temporary, file);
    return { secret, source: { kind: 'file', file, created: true } };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const winner = readSecretFile(file);
      if (winner !== undefined) return { secret: winner, source: { kind: 'file', file, created: false } };
    }
    throw new ConfigError(
      `PAPERBOY_SECRET is not set and paperboy could not keep a secret in ${file}: ${(error as Error).message}. ` +
        'Set PAPERBOY_SECRET (`openssl rand -hex 32`) or make the database folder writable.',
      [],
      { cause: error },
    );
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readSecretFile(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the signing secret ${file}: ${(error as Error).message}`, [], { cause: error });
  }
  const secret = text.trim();
  if (secret.length < 32) {
    throw new ConfigError(
      `the signing secret in ${file} is ${secret.length} characters long: expected at least 32. ` +
        'Restore it from a backup (links in mails already sent depend on it), or delete it to make a new one.',
    );
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    throw new ConfigError(`the signing secret ${file} can be read by other users: run \`chmod 600 ${file}\``);
  }
  return secret;
}

/** The one line that tells the operator a secret was made (printed once, on the run that made it). */
export function describeNewSecret(source: SigningSecret['source']): string | undefined {
  if (source.kind !== 'file' || !source.created) return undefined;
  return (
    `PAPERBOY_SECRET is not set: made a new signing secret and kept it in ${source.file} (owner-only). ` +
    'Back it up with the database; several hosts must share one secret through PAPERBOY_SECRET.'
  );
}
