import { Cron } from 'croner';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ANNOUNCE_TYPES, DIGEST_WEEKDAYS } from '../types.ts';
import { DEFAULT_DOMAINS } from './default-domains.ts';
import { DEFAULT_GLOSSARY, type GlossaryTerm } from './default-glossary.ts';

// One schema for the config file: every key has a default (so an empty file works for a local try-out) and a
// description; the TypeScript type is derived from it. Secrets are never read from here: see src/config/env.ts.

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** croner's own parser: the scheduler reads the pattern with it, so the config accepts exactly what it can run. */
function isCronPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true });
    return true;
  } catch {
    return false;
  }
}

const localized = z.strictObject({
  en: z.string().trim().min(1, 'expected a non-empty English text'),
  zh: z.string().trim().min(1, 'expected a non-empty Chinese text'),
});

// Defaults of the optional keys live in the selection code (src/select/score-paper.ts), so that a Domain written in
// TypeScript (the built-in ones, tests) needs no more than the config file does.
const weightedPatternSchema = z.strictObject({
  pattern: z.string().trim().min(1),
  weight: z.number().finite().optional().describe('Per mention (default 1); negative counts against the topic.'),
  in: z.enum(['anywhere', 'title', 'abstract']).optional().describe('Where a mention counts (default anywhere).'),
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
  include: z
    .array(
      z.union([z.string().trim().min(1), weightedPatternSchema], {
        error: 'expected a word or phrase, or { pattern, weight: a number, in: anywhere | title | abstract }',
      }),
    )
    .default([])
    .describe('Words or phrases (/regex/ for a raw pattern), each worth 1, or { pattern, weight, in }.'),
  exclude: z.array(z.string().trim().min(1)).default([]).describe('A paper matching any of these is left out.'),
  minScore: z
    .number()
    .finite()
    .optional()
    .describe('The score a paper needs (default 1): each include mention adds its weight, a title mention 3 times it.'),
  categoryWeights: z
    .record(z.string(), z.number().finite())
    .optional()
    .describe('Added to the score of a paper listed in that category (any position).'),
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
  // `paperboy serve`. Its public address is newsletter.publicBaseUrl; the Resend webhook secret comes only from
  // RESEND_WEBHOOK_SECRET.
  web: z
    .strictObject({
      host: z.string().trim().min(1).default('127.0.0.1').describe('Address to listen on; keep 127.0.0.1 behind a reverse proxy.'),
      port: z.number().int().min(0).max(65_535).default(8787).describe('0 picks a free port.'),
      trustProxy: z
        .boolean()
        .default(false)
        .describe('Take the client address from the last X-Forwarded-For hop: only behind a proxy you run.'),
      confirmHours: z.number().positive().max(24 * 14).default(48).describe('How long a confirmation link works.'),
      pendingHours: z
        .number()
        .positive()
        .max(24 * 90)
        .default(72)
        .describe('Sign-ups not confirmed within this time are removed; at least confirmHours.'),
      rateLimits: z
        .strictObject({
          perIpPerHour: z.number().int().min(1).max(10_000).default(10).describe('Sign-up requests per client address.'),
          perAddressPerDay: z.number().int().min(1).max(100).default(3).describe('Confirmation mails per email address.'),
        })
        .prefault({}),
    })
    .refine((web) => web.pendingHours >= web.confirmHours, {
      path: ['pendingHours'],
      message: 'expected at least web.confirmHours: a sign-up must outlive its confirmation link',
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
      details: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe('Ask the export API for the comment and journal reference of the papers a mail shows.'),
          apiUrl: z.url().default('https://export.arxiv.org/api/query'),
          idsPerRequest: z.number().int().min(1).max(100).default(100),
          minGapSeconds: z
            .number()
            .min(3, 'expected at least 3: arXiv asks for no more than one request every three seconds')
            .max(60)
            .default(3),
        })
        .prefault({})
        .describe('Code links and venues from the arXiv API; skipped when the feeds are read from files.'),
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
  // Readers who chose `frequency: weekly` get one digest a week instead of every issue (issue 12, part 5).
  digest: z
    .strictObject({
      weeklyOn: z
        .enum(DIGEST_WEEKDAYS, { error: `expected a weekday with an arXiv batch: ${DIGEST_WEEKDAYS.join(', ')}` })
        .default('friday')
        .describe(
          'The batch weekly readers get their digest with (the week so far, Monday on). When arXiv has no batch that day, the latest batch of the same week before it.',
        ),
    })
    .prefault({}),
  // Secrets come only from the environment: SMTP_URL, DKIM_PRIVATE_KEY, RESEND_API_KEY (RESEND_BASE_URL for tests).
  delivery: z
    .strictObject({
      transport: z
        .enum(['outbox', 'smtp', 'resend'])
        .default('outbox')
        .describe('outbox writes .eml files; smtp sends through SMTP_URL; resend through the Resend API.'),
      outboxDir: z.string().min(1).default('outbox'),
      batchSize: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(100)
        .describe('Mails per claim: one Resend call (at most 100), one ledger round trip.'),
      workers: z.number().int().min(1).max(16).default(2).describe('Claims in flight at once.'),
      retry: z
        .strictObject({
          attempts: z.number().int().min(1).max(10).default(3).describe('Tries per mail within a run for 4xx and connection errors.'),
          baseDelayMs: z.number().int().min(0).max(600_000).default(2000).describe('Backoff before the 2nd try; doubles after.'),
          maxDelayMs: z.number().int().min(0).max(3_600_000).default(60_000),
          stopAfterFailedBatches: z
            .number()
            .int()
            .min(0)
            .max(100_000)
            .default(5)
            .describe('Give up when this many claims in a row sent nothing (0: never); the rest stays planned.'),
        })
        .prefault({}),
      lock: z
        .strictObject({
          timeoutSeconds: z
            .number()
            .positive()
            .max(3600)
            .default(60)
            .describe('A lock not renewed for this long belongs to a dead run and is taken over.'),
          waitSeconds: z.number().min(0).max(86_400).default(0).describe('How long a second run waits for the lock.'),
        })
        .prefault({}),
      smtp: z
        .strictObject({
          maxConnections: z.number().int().min(1).max(100).default(5),
          rateLimit: z.number().min(0).max(100_000).default(0).describe('Messages per second over all connections; 0: no limit.'),
          maxMessagesPerConnection: z.number().int().min(1).max(100_000).default(100),
          timeoutSeconds: z.number().positive().max(600).default(60),
          dkim: z
            .strictObject({
              domain: z.string().trim().min(1),
              selector: z.string().trim().min(1),
            })
            .optional()
            .describe('Sign with DKIM (key from DKIM_PRIVATE_KEY), covering List-Unsubscribe and List-Unsubscribe-Post.'),
        })
        .prefault({}),
      resend: z
        .strictObject({
          requestsPerSecond: z
            .number()
            .positive()
            .max(100)
            .default(2)
            .describe('Calls per second of this process. Resend allows 2 per team by default: with N senders, give each 2 ÷ N.'),
        })
        .prefault({}),
    })
    .prefault({}),
  database: z
    .strictObject({
      file: z.string().min(1).default('subscribers/paperboy.db'),
    })
    .prefault({}),
  // The provider's key comes only from LLM_API_KEY; LLM_BASE_URL and LLM_MODEL win over baseUrl and model here.
  translation: z
    .strictObject({
      baseUrl: z
        .url({ protocol: /^https?$/, error: 'expected the http(s) base URL of an OpenAI-compatible API, e.g. https://api.deepseek.com' })
        .optional()
        .describe('OpenAI-compatible endpoint; LLM_BASE_URL wins.'),
      model: z.string().trim().min(1).optional().describe('Model name as the provider spells it; LLM_MODEL wins.'),
      batchSize: z.number().int().min(1).max(20).default(8).describe('Papers per request.'),
      concurrency: z.number().int().min(1).max(16).default(4).describe('Requests in flight at once.'),
      timeoutSeconds: z.number().positive().max(900).default(120),
      retries: z.number().int().min(0).max(10).default(3).describe('On 429, 5xx and timeouts, honouring retry-after.'),
      jsonMode: z.boolean().default(true).describe('Send response_format json_object (turn off for servers that reject it).'),
      maxOutputTokens: z.number().int().min(256).max(65_536).optional().describe('max_tokens per request; default: the provider\'s.'),
      temperature: z.number().min(0).max(2).optional(),
      summaries: z
        .boolean()
        .optional()
        .describe(
          'Ask, in the same batched request, for a checked one-sentence TL;DR and 3 key points in English and Chinese (default true; false turns it off).',
        ),
      analysis: z
        .boolean()
        .default(false)
        .describe(
          'Also ask, in the same request, for a short analysis (problem, method, results, limitations) in both languages, checked like the points, for the paper pages. More output tokens.',
        ),
      tldr: z
        .boolean()
        .optional()
        .describe('Old name of translation.summaries (read when summaries is not set; both set and different is an error).'),
      glossary: z
        .record(
          z.string().trim().min(1),
          z.union([
            z.string().trim().min(1).transform((zh) => ({ zh, variants: [] as string[] })),
            z.strictObject({
              zh: z.string().trim().min(1),
              variants: z.array(z.string().trim().min(1)).default([]),
            }),
          ]),
        )
        .default(() => structuredClone(DEFAULT_GLOSSARY) as Record<string, GlossaryTerm>)
        .describe(
          'English term → Chinese rendering used every time ("agent: 智能体"), or { zh, variants } whose variants are replaced by zh in papers using the term; listing it replaces the defaults.',
        ),
      prices: z
        .strictObject({
          inputPerMillion: z.number().min(0).default(0),
          outputPerMillion: z.number().min(0).default(0),
          currency: z.string().trim().min(1).max(8).default('USD'),
        })
        .prefault({})
        .describe('Per 1M tokens, for the cost estimate in the run report; 0 = not shown.'),
    })
    .superRefine((t, ctx) => {
      if (t.summaries !== undefined && t.tldr !== undefined && t.summaries !== t.tldr) {
        ctx.addIssue({
          code: 'custom',
          path: ['tldr'],
          message: 'translation.tldr is the old name of translation.summaries and says the opposite: remove translation.tldr',
        });
      }
    })
    // `summaries` wins; an old config's `tldr` still works. `tldr` stays in the resolved config, equal to
    // `summaries`, for the readers that still ask for it (src/preview/build-preview.ts).
    .transform(({ summaries, tldr, ...rest }) => {
      const on = summaries ?? tldr ?? true;
      return { ...rest, summaries: on, tldr: on };
    })
    .prefault({}),
  // `paperboy schedule` (and the late cutoff of `paperboy run`): when to build the day's issue by itself.
  schedule: z
    .strictObject({
      cron: z
        .string()
        .trim()
        .default('30 13 * * *')
        .refine(isCronPattern, { message: 'expected a cron pattern such as "30 13 * * *" (minute hour day month weekday)' })
        .describe('When the daily tick fires, in schedule.timezone; after arXiv\'s RSS rebuild (00:00 America/New_York).'),
      timezone: z
        .string()
        .trim()
        .default('Asia/Shanghai')
        .refine((zone) => IANAZone.isValidZone(zone), { message: 'expected an IANA time zone such as "Asia/Shanghai"' }),
      pollIntervalMinutes: z.number().min(1).max(240).default(15).describe('How often a stale feed is fetched again.'),
      pollDeadlineMinutes: z
        .number()
        .min(0)
        .max(24 * 60)
        .default(240)
        .describe('How long after the tick a stale feed is waited for before giving up (nothing is mailed).'),
      lateCutoffHours: z
        .number()
        .positive()
        .max(72)
        .default(12)
        .describe('An issue whose feed went up longer ago than this is not sent unless forced (run --force).'),
      listingCheck: z
        .boolean()
        .default(false)
        .describe('Cross-check the feed against arxiv.org/list/<category>/new (date and new+cross ids).'),
      listingBaseUrl: z
        .url({ protocol: /^https?$/ })
        .default('https://arxiv.org')
        .transform((u) => u.replace(/\/+$/, '')),
      showUpdatedVersions: z
        .boolean()
        .default(false)
        .describe('Mail a paper again, labelled as updated, when a newer version than the one a reader got appears.'),
    })
    .prefault({}),
  // `paperboy preview`: the operator's local look at every segment's mail before it goes out.
  preview: z
    .strictObject({
      host: z.string().trim().min(1).default('127.0.0.1').describe('Keep it on loopback: the preview has no login.'),
      port: z.number().int().min(0).max(65_535).default(8788),
      emailClients: z
        .array(z.string().trim().min(1))
        .min(1)
        .default(['gmail.*', 'outlook.*', 'apple-mail.*', 'yahoo.*'])
        .describe('caniemail client families the compatibility check covers.'),
      compatibilityBaseline: z
        .string()
        .min(1)
        .optional()
        .describe('Known (feature, client) problems; only problems not in it are shown as new. Default: the baseline shipped with paperboy.'),
    })
    .prefault({}),
  domains: z.array(domainSchema).min(1, 'expected at least one domain').default(DEFAULT_DOMAINS),
});

export type PaperboyConfig = z.output<typeof configSchema>;
export type DomainConfig = z.output<typeof domainSchema>;
