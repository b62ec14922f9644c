import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { compileKeywords, patternOf } from '../select/index.ts';
import { ARXIV_HOLIDAYS_2025_2026 } from '../arxiv/calendar.ts';
import { configSchema, type PaperboyConfig } from './schema.ts';

export const DEFAULT_CONFIG_FILE = 'paperboy.config.yaml';

export type ConfigResult =
  | { config: PaperboyConfig; warnings: string[]; errors: undefined }
  | { config: undefined; warnings: string[]; errors: string[] };

/** `domains.2.cap` → `domains[2].cap`: the way a reader of the YAML file finds the key. */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = formatKeyPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return `${key}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling against paperboy.config.example.yaml)`;
  }
  return `${key}: ${issue.message}`;
}

/** Pure: validates parsed config data (from YAML, or `{}` when there is no file) and normalises it. */
export function validateConfig(input: unknown): ConfigResult {
  const warnings: string[] = [];
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return { config: undefined, warnings, errors: parsed.error.issues.map(describeIssue) };
  }
  const config = parsed.data;
  const errors: string[] = [];

  const seen = new Map<string, number>();
  config.domains.forEach((domain, index) => {
    const first = seen.get(domain.id);
    if (first !== undefined) errors.push(`domains[${index}].id: "${domain.id}" is already used by domains[${first}]`);
    else seen.set(domain.id, index);
    for (const key of ['include', 'exclude'] as const) {
      domain[key].forEach((entry, i) => {
        try {
          compileKeywords([patternOf(entry)]);
        } catch (error) {
          errors.push(`domains[${index}].${key}[${i}]: ${(error as Error).message}`);
        }
      });
    }
    if (domain.categories.length === 0 && domain.include.length === 0) {
      warnings.push(`domains[${index}] ("${domain.id}") has no categories and no include patterns: it takes every paper`);
    }
  });
  if (!config.newsletter.publicBaseUrl.startsWith('https://')) {
    warnings.push(
      `newsletter.publicBaseUrl is ${config.newsletter.publicBaseUrl}: mailbox providers only offer one-click unsubscribe for https URLs; use https before going live`,
    );
  }
  return errors.length > 0 ? { config: undefined, warnings, errors } : { config, warnings, errors: undefined };
}

/** The holiday set the calendar uses: the configured list (or the built-in table) plus extra dates. */
export function holidaysOf(config: PaperboyConfig): Set<string> {
  return new Set([...(config.arxiv.holidays ?? ARXIV_HOLIDAYS_2025_2026), ...config.arxiv.extraHolidays]);
}

/**
 * Reads the config file (explicit path, $PAPERBOY_CONFIG, or ./paperboy.config.yaml when present) and validates it.
 * No file at the default location is fine: every key has a default. An explicit path that does not exist is an error.
 */
export function loadConfig(
  explicitPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { config: PaperboyConfig; warnings: string[]; file: string | null } {
  const requested = explicitPath ?? env.PAPERBOY_CONFIG;
  const file = requested ? resolve(requested) : existsSync(DEFAULT_CONFIG_FILE) ? resolve(DEFAULT_CONFIG_FILE) : null;
  let data: unknown = {};
  if (file) {
    if (!existsSync(file)) {
      throw new ConfigError(
        `config file ${file} does not exist; copy paperboy.config.example.yaml to ${DEFAULT_CONFIG_FILE} and edit it`,
      );
    }
    try {
      data = parseYaml(readFileSync(file, 'utf8')) ?? {};
    } catch (error) {
      const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
      throw new ConfigError(`config file ${file} is not valid YAML${where}: ${(error as Error).message}`, [], {
        cause: error,
      });
    }
  }
  const result = validateConfig(data);
  if (result.errors) {
    const source = file ?? 'the built-in defaults';
    throw new ConfigError(
      `invalid config in ${source}:\n${result.errors.map((e) => `  - ${e}`).join('\n')}`,
      result.errors,
    );
  }
  return { config: result.config, warnings: result.warnings, file };
}
