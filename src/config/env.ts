import { ConfigError } from '../errors.ts';

// Secrets and deployment switches come only from the environment, never from the config file.

/**
 * PAPERBOY_SECRET, the key that signs unsubscribe / preferences links, or undefined when it is not set (then a
 * SQLite installation keeps one of its own: config/signing-secret.ts). Rotating it invalidates every link mailed.
 */
export function readSigningSecret(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const secret = env.PAPERBOY_SECRET;
  if (!secret) return undefined;
  if (secret.length < 32) {
    throw new ConfigError(`PAPERBOY_SECRET is ${secret.length} characters long: expected at least 32 (try \`openssl rand -hex 32\`)`);
  }
  return secret;
}

/** DATABASE_URL wins over the config file's database.file. */
export function readDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.DATABASE_URL || undefined;
}
