import { EXIT, type ExitCode } from './errors.ts';
import type { ISODate } from './types.ts';

// What one run did, stage by stage: printed at the end of `paperboy run` (text or --json).

export interface SegmentReport {
  id: string;
  readers: number;
  papers: number;
  htmlBytes: number;
  textBytes: number;
  renderMs: number;
  degraded: number;
  preview: string | null;
}

export interface RunReport {
  batchDate: ISODate | null;
  status: 'sent' | 'partial' | 'dry-run' | 'no-issue' | 'failed';
  message: string;
  source: 'feed' | 'stored' | null;
  feeds: Array<{ source: string; papers: number; batchDate: ISODate | null; error?: string; skippedItems?: number }>;
  papers: number;
  domains: Array<{ id: string; matched: number }>;
  /** Selected papers with a usable Chinese title / summary (the rest show the "translation pending" marker). */
  chinese: { papers: number; titles: number; abstracts: number };
  segments: SegmentReport[];
  readersWithoutTopics: number;
  mails: { planned: number; sent: number; alreadySent: number; failed: number };
  failures: Array<{ where: string; error: string }>;
  outbox: string | null;
  durationMs: number;
  exitCode: ExitCode;
}

export function emptyReport(batchDate: ISODate | null): RunReport {
  return {
    batchDate,
    status: 'failed',
    message: '',
    source: null,
    feeds: [],
    papers: 0,
    domains: [],
    chinese: { papers: 0, titles: 0, abstracts: 0 },
    segments: [],
    readersWithoutTopics: 0,
    mails: { planned: 0, sent: 0, alreadySent: 0, failed: 0 },
    failures: [],
    outbox: null,
    durationMs: 0,
    exitCode: EXIT.failed,
  };
}

export function finishReport(report: RunReport, started: number, status: RunReport['status'], message: string, exitCode: ExitCode) {
  report.status = status;
  report.message = message;
  report.exitCode = exitCode;
  report.durationMs = Date.now() - started;
  return report;
}
