import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import PostalMime from 'postal-mime';
import { holidaysOf, validateConfig } from '../../src/config/load-config.ts';
import type { PaperboyConfig } from '../../src/config/schema.ts';
import { createOutboxTransport } from '../../src/deliver/outbox-transport.ts';
import type { MailTransport } from '../../src/deliver/transport.ts';
import type { RunReport } from '../../src/run-report.ts';
import type { SchedulerDeps } from '../../src/schedule/run-scheduler.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';
import type { ISODate, Language } from '../../src/types.ts';
import { recordLog } from '../support/record-log.ts';
import { fakeArxiv } from './fake-arxiv.ts';

// A small world for the scheduler: one database, readers, a fake arXiv and a fake clock that moves only when the
// scheduler sleeps (so weeks pass in milliseconds), stopping the scheduler once it reaches `until`.

export const SECRET = 'schedule-test-secret-0123456789abcdef0123';

export const READERS: Array<{ email: string; topics: string[]; language: Language }> = [
  { email: 'ada@example.org', topics: ['llm'], language: 'en' },
  { email: 'wei@example.org', topics: ['llm'], language: 'zh' },
  { email: 'lin@example.org', topics: ['llm'], language: 'zh' },
];

export function testConfig(overrides: Record<string, unknown> = {}): PaperboyConfig {
  const result = validateConfig({
    newsletter: { publicBaseUrl: 'https://digest.example.org' },
    arxiv: { baseUrl: 'https://rss.example.org' },
    domains: [
      {
        id: 'llm',
        name: { en: 'Language models', zh: '语言模型' },
        description: { en: 'Language model papers.', zh: '语言模型论文。' },
        categories: ['cs.CL'],
        cap: 10,
      },
    ],
    ...overrides,
  });
  if (!result.config) throw new Error(result.errors.join('\n'));
  return result.config;
}

export interface World {
  dir: string;
  db: Kysely<Database>;
  config: PaperboyConfig;
  holidays: ReadonlySet<ISODate>;
  outbox: string;
  logs: string[];
  reports: RunReport[];
  arxiv: ReturnType<typeof fakeArxiv>;
  /** The fake clock's reading, in ms since the epoch. */
  time: { t: number };
  now(): Date;
  /**
   * Scheduler dependencies on this world's fake clock; `until` aborts `controller` once the clock reaches it. `sleep`
   * replaces the clock-advancing one (a scheduler that only polls, on a clock that stands still); `owner` names the
   * scheduler in locks, logs and the run history.
   */
  deps(options?: {
    until?: Date;
    controller?: AbortController;
    createTransport?: (d: ISODate) => MailTransport;
    sleep?: SchedulerDeps['sleep'];
    owner?: string;
  }): SchedulerDeps;
  setClock(at: Date): void;
  close(): Promise<void>;
}

export async function makeWorld(options: {
  start: Date;
  config?: PaperboyConfig;
  staleForMs?: (batchDate: ISODate) => number;
  db?: Kysely<Database>;
  dir?: string;
  /** Another world whose clock this one shares (two schedulers on one machine see one time). */
  sameClockAs?: World;
}): Promise<World> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'paperboy-schedule-'));
  const ownDb = options.db === undefined;
  const db = options.db ?? (await openDatabase({ file: join(dir, 'p.db') }));
  const config = options.config ?? testConfig();
  const holidays = holidaysOf(config);
  if (ownDb) await upsertSubscribers(db, READERS.map((r) => ({ ...r, name: null })), options.start);
  const time = options.sameClockAs?.time ?? { t: options.start.getTime() };
  const clock = () => new Date(time.t);
  const arxiv = fakeArxiv({ holidays, clock, staleForMs: options.staleForMs });
  const logs: string[] = [];
  const reports: RunReport[] = [];
  const outbox = join(dir, 'outbox');
  return {
    dir,
    db,
    config,
    holidays,
    outbox,
    logs,
    reports,
    arxiv,
    time,
    now: clock,
    setClock: (at) => {
      time.t = at.getTime();
    },
    deps: ({ until, controller, createTransport, sleep, owner } = {}) => ({
      db,
      config,
      holidays,
      secret: SECRET,
      clock,
      sleep:
        sleep ??
        (async (ms) => {
          time.t += Math.max(0, ms);
          if (until && time.t >= until.getTime()) controller?.abort();
          await new Promise((resolve) => setImmediate(resolve));
        }),
      readFeed: arxiv.read,
      readPage: async () => {
        throw new Error('no listing pages in this world');
      },
      createTransport: createTransport ?? ((batchDate) => createOutboxTransport({ dir: outbox, batchDate })),
      outboxDir: outbox,
      log: recordLog(logs, () => `${clock().toISOString()} `),
      onReport: (report) => reports.push(report),
      owner,
    }),
    close: async () => {
      if (ownDb) await db.destroy();
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every mail in the outbox: its batch, reader and the arXiv ids it links to (read back as a mail client would). */
export async function readOutbox(outbox: string): Promise<Array<{ batchDate: ISODate; to: string; ids: string[]; text: string }>> {
  if (!existsSync(outbox)) return [];
  const mails = [];
  for (const day of readdirSync(outbox).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort()) {
    for (const file of readdirSync(join(outbox, day)).filter((f) => f.endsWith('.eml'))) {
      const parsed = await PostalMime.parse(readFileSync(join(outbox, day, file)));
      const ids = [...new Set([...(parsed.text ?? '').matchAll(/arxiv\.org\/abs\/(\d{4}\.\d{4,5})/g)].map((m) => m[1]!))];
      mails.push({ batchDate: day, to: parsed.to?.[0]?.address ?? '?', ids, text: parsed.text ?? '' });
    }
  }
  return mails;
}
