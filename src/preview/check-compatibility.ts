// Offline email-client compatibility from the caniemail data bundled in `@jsx-email/doiuse-email` (rendering.md §7).
// MJML's output always "fails" somewhere (media queries in Outlook, class selectors in Gmail's mobile webmail), so
// the known (feature, client) pairs are kept as a committed baseline and only pairs outside it are news: someone
// added `display:flex` or `position` to the template.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { packageFile } from '../package-info.ts';

/** One caniemail finding: a feature a client does not support. */
export interface CompatPair {
  feature: string;
  client: string;
}

export interface CompatBaseline {
  /** The checker and its data, so a baseline made with other data is recognisable. */
  checker: string;
  emailClients: string[];
  /** Sorted "feature — client" keys. */
  problems: string[];
}

export interface CompatReport {
  /** Pairs found in this mail that the baseline does not have. */
  fresh: CompatPair[];
  /** Pairs found that the baseline knows. */
  known: number;
  /** Why there is no result (checker not installed, baseline unreadable), or null. */
  unavailable: string | null;
}

export const CHECKER = '@jsx-email/doiuse-email 1.0.4 (caniemail data 2024-10-09)';

export const pairKey = (p: CompatPair) => `${p.feature} — ${p.client}`;

/** "`@media` is not supported by `outlook.windows`" → { feature: "@media", client: "outlook.windows" }. */
export function parseCompatErrors(errors: readonly string[]): CompatPair[] {
  const pairs = new Map<string, CompatPair>();
  for (const error of errors) {
    const m = /^`(.+)` is not supported by `([^`]+)`/.exec(error);
    const pair = m ? { feature: m[1]!, client: m[2]! } : { feature: error, client: '?' };
    pairs.set(pairKey(pair), pair);
  }
  return [...pairs.values()].sort((a, b) => pairKey(a).localeCompare(pairKey(b)));
}

/** Pure: what of `found` the baseline does not know. */
export function compareWithBaseline(found: readonly CompatPair[], baseline: CompatBaseline): Omit<CompatReport, 'unavailable'> {
  const known = new Set(baseline.problems);
  const fresh = found.filter((p) => !known.has(pairKey(p)));
  return { fresh, known: found.length - fresh.length };
}

export function makeBaseline(found: readonly CompatPair[], emailClients: readonly string[]): CompatBaseline {
  return {
    checker: CHECKER,
    emailClients: [...emailClients],
    problems: [...new Set(found.map(pairKey))].sort((a, b) => a.localeCompare(b)),
  };
}

/** The baseline file: the configured one (relative to the working folder), else the one shipped with paperboy. */
export function baselineFileOf(configured: string | undefined): string {
  return configured === undefined ? packageFile('emails/compatibility-baseline.json') : resolve(configured);
}

export function readBaseline(file: string): CompatBaseline | null {
  if (!existsSync(file)) return null;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<CompatBaseline>;
    if (!Array.isArray(data.problems) || !data.problems.every((p) => typeof p === 'string')) throw new Error('no "problems" list');
    return { checker: String(data.checker ?? ''), emailClients: data.emailClients ?? [], problems: data.problems };
  } catch (error) {
    throw new ConfigError(`compatibility baseline ${file} is not readable: ${(error as Error).message}`, [], { cause: error });
  }
}

type DoIUseEmail = (html: string, options: { emailClients: string[] }) => { success: boolean; errors?: string[] };

let checker: Promise<DoIUseEmail | string> | undefined;

/**
 * The checker, loaded on first use. It is a development dependency: an install without them (npm ci --omit=dev)
 * still previews, only without this check.
 */
function loadChecker(): Promise<DoIUseEmail | string> {
  checker ??= import('@jsx-email/doiuse-email').then(
    (mod) => mod.doIUseEmail as DoIUseEmail,
    () => '@jsx-email/doiuse-email is not installed (it is a development dependency: npm install without --omit=dev)',
  );
  return checker;
}

/** The unsupported (feature, client) pairs of one mail's HTML. */
export async function findCompatProblems(html: string, emailClients: readonly string[]): Promise<CompatPair[] | string> {
  const check = await loadChecker();
  if (typeof check === 'string') return check;
  const result = check(html, { emailClients: [...emailClients] });
  return parseCompatErrors(result.success ? [] : (result.errors ?? []));
}

export async function checkCompatibility(
  html: string,
  emailClients: readonly string[],
  baseline: CompatBaseline | null,
): Promise<CompatReport> {
  const found = await findCompatProblems(html, emailClients);
  if (typeof found === 'string') return { fresh: [], known: 0, unavailable: found };
  if (baseline === null) return { fresh: found, known: 0, unavailable: null };
  return { ...compareWithBaseline(found, baseline), unavailable: null };
}
