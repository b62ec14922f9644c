import { z } from 'zod';
import { ANNOUNCE_TYPES } from '../types.ts';
import { DEFAULT_DOMAINS } from './default-domains.ts';

// One schema for the config file: every key has a default (so an empty file works for a local try-out) and a
// description; the TypeScript type is derived from it. Secrets are never read from here: see src/config/env.ts.

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

const localized = z.strictObject({
  en: z.string().trim().min(1, 'expected a non-empty English text'),
  zh: z.string().trim().min(1, 'expected a non-empty Chinese text'),
});

export const domainSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a short id of lowercase letters, digits and "-" (e.g. "llm")'),
  name: localized,
  description: localized,
  categories: z
    .array(z.string().regex(/^[a-z-]+(\.[A-Za-z-]+)?$/, 'expected an arXiv category such as "cs.CL" or "math.OC"'))
    .default([])
    .describe('A paper must be listed in one of these; empty means any category.'),
  include: z.array(z.string().trim().min(1)).default([]).describe('Words or phrases; /regex/ for a raw pattern.'),
  exclude: z.array(z.string().trim().min(1)).default([]),
  announceTypes: z.array(z.enum(ANNOUNCE_TYPES)).min(1).default(['new', 'cross']),
  cap: z.number().int().min(1).max(100).default(6).describe('Papers with summaries per mail; the rest are linked.'),
});

export const configSchema = z.strictObject({
  newsletter: z
    .strictObject({
      name: z.string().trim().min(1).default('paperboy · arXiv daily'),
      from: z
        .string()
        .regex(/^(.*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/, 'expected an address such as "Lab digest <digest@example.org>"')
        .default('paperboy <digest@example.org>'),
      replyTo: z.string().optional(),
      postalAddress: z
        .string()
        .trim()
        .min(1)
        .default('paperboy, 1 Example Road, Example City')
        .describe('Shown in every footer; bulk-mail rules require a real postal address.'),
      publicBaseUrl: z
        .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://digest.example.org' })
        .default('http://localhost:8787')
        .transform((u) => u.replace(/\/+$/, '')),
    })
    .prefault({}),
  arxiv: z
    .strictObject({
      format: z.enum(['rss', 'atom']).default('rss'),
      baseUrl: z.url().default('https://rss.arxiv.org'),
      timeoutSeconds: z.number().positive().max(600).default(30),
      retries: z.number().int().min(0).max(10).default(3),
      userAgent: z.string().min(1).default('paperboy/0.1 (arXiv newsletter; +https://github.com/paperboy-digest)'),
      holidays: z
        .array(isoDate)
        .optional()
        .describe('Dates (America/New_York) with no arXiv freeze or announcement; default: the 2025–2026 table.'),
      extraHolidays: z.array(isoDate).default([]).describe('Added to holidays: retreats, outages.'),
    })
    .prefault({}),
  render: z
    .strictObject({
      summaryWidth: z
        .strictObject({ en: z.number().int().min(40).max(4000).default(360), zh: z.number().int().min(20).max(4000).default(240) })
        .prefault({})
        .describe('Display columns per summary; a Chinese character is two columns.'),
      maxAuthors: z.number().int().min(1).max(50).default(4),
      maxHtmlBytes: z.number().int().min(20_000).max(102_000).default(90_000),
    })
    .prefault({}),
  delivery: z
    .strictObject({
      transport: z.enum(['outbox']).default('outbox'),
      outboxDir: z.string().min(1).default('outbox'),
    })
    .prefault({}),
  database: z
    .strictObject({
      file: z.string().min(1).default('subscribers/paperboy.db'),
    })
    .prefault({}),
  domains: z.array(domainSchema).min(1, 'expected at least one domain').default(DEFAULT_DOMAINS),
});

export type PaperboyConfig = z.output<typeof configSchema>;
export type DomainConfig = z.output<typeof domainSchema>;
