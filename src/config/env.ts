import { ConfigError } from '../errors.ts';

// Secrets and deployment switches come only from the environment, never from the config file.

/** The key that signs unsubscribe / preferences links. Rotating it invalidates every link already mailed. */
export function readSigningSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env.PAPERBOY_SECRET;
  if (!secret) {
    throw new ConfigError(
      'PAPERBOY_SECRET is not set: it signs the unsubscribe and preferences links in every mail. ' +
        'Generate one with `openssl rand -hex 32` and keep it stable.',
    );
  }
  if (secret.length < 32) {
    throw new ConfigError(`PAPERBOY_SECRET is ${secret.length} characters long: expected at least 32 (try \`openssl rand -hex 32\`)`);
  }
  return secret;
}

/** DATABASE_URL wins over the config file's database.file. */
export function readDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.DATABASE_URL || undefined;
}
