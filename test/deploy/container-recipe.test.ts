import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The container recipe cannot be built in CI (no container engine), so this checks what a mistake would cost most:
// the host's installs, databases, outboxes and secrets in the build context, a root process, no health check, and
// services that do not share the database and the signing secret.

interface Service {
  environment?: Record<string, string>;
  depends_on?: unknown;
  healthcheck?: { test?: unknown; disable?: boolean };
  volumes?: string[];
  ports?: string[];
  command?: string[];
}

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('container recipe', () => {
  it('.dockerignore keeps the host’s installs, data and secrets out of the build context', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(patterns).toEqual(
      expect.arrayContaining(['**/node_modules', '.git', '**/outbox', '**/*.db', '**/*.db-*', '**/*.secret', '.env']),
    );
  });

  it('Containerfile runs as a non-root user, serves on 0.0.0.0 and checks /healthz', () => {
    const recipe = read('Containerfile');
    expect(recipe).toMatch(/^USER node$/m);
    expect(recipe).toMatch(/^HEALTHCHECK .*\n?.*127\.0\.0\.1:8787\/healthz/m);
    expect(recipe).toMatch(/^CMD \["serve", "--host", "0\.0\.0\.0", "--port", "8787"\]$/m);
    expect(recipe).toMatch(/^FROM node:24-/m);
  });

  it('compose runs serve and schedule against a healthy PostgreSQL with one signing secret', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
    const { postgres, serve, schedule } = compose.services;
    expect(postgres?.healthcheck?.test).toBeDefined();
    expect(postgres?.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    for (const service of [serve, schedule]) {
      expect(service?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(service?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/paperboy:\$\{POSTGRES_PASSWORD:\?.*\}@postgres:5432\//);
      expect(service?.environment?.PAPERBOY_SECRET).toMatch(/^\$\{PAPERBOY_SECRET:\?/);
    }
    expect(serve?.ports).toEqual(['127.0.0.1:8787:8787']);
    expect(schedule?.command).toEqual(['schedule']);
    expect(schedule?.healthcheck).toEqual({ disable: true });
  });
});
