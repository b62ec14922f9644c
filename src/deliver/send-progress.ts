import type { StatusLine } from '../log/logger.ts';
import type { SendProgress } from './send-types.ts';

// How sending progress is shown: a bar on a terminal, else one log record per claim (a JSON line in a log).

const count = (n: number) => n.toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.ceil(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Mails dealt with per second so far. */
export function progressRate(p: SendProgress): number {
  return p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
}

/** `sending [██████░░░░] 4,200/10,000 42% · 812 mail/s · ETA 7 s · 3 failed`. */
export function formatSendProgress(p: SendProgress, width = 24): string {
  const share = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(share * width);
  const rate = progressRate(p);
  const eta = p.done >= p.total ? 'done' : rate > 0 ? `ETA ${duration((p.total - p.done) / rate)}` : 'ETA ?';
  const parts = [
    `sending [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${count(p.done)}/${count(p.total)} ${Math.floor(share * 100)}%`,
    `${Math.round(rate)} mail/s`,
    eta,
  ];
  for (const [n, label] of [
    [p.failed, 'failed'],
    [p.bounced, 'bounced'],
    [p.unknown, 'unknown'],
    [p.skipped, 'skipped'],
  ] as const) {
    if (n > 0) parts.push(`${count(n)} ${label}`);
  }
  return parts.join(' · ');
}

/** The fields of one log record per claim, for a log file or a cron mail. */
export function sendProgressRecord(p: SendProgress, transport: string) {
  return {
    event: 'send-batch',
    transport,
    segment: p.segmentId,
    batch: p.batchNo,
    mails: p.mails,
    done: p.done,
    total: p.total,
    sent: p.sent,
    failed: p.failed,
    bounced: p.bounced,
    unknown: p.unknown,
    skipped: p.skipped,
    elapsedMs: p.elapsedMs,
    mailsPerSecond: Math.round(progressRate(p) * 10) / 10,
  };
}

/**
 * A progress sink: a bar redrawn in the terminal's status line; else a log record per batch of about `logEvery`
 * mails (a Resend call carries 100; SMTP claims are a few mails, so they are gathered), and the last state at the end.
 */
export function createSendProgress(options: {
  transport: string;
  /** The terminal's status line; absent when stderr is no terminal (or the command is --quiet). */
  status?: StatusLine | undefined;
  /** Writes one progress record (to the log). */
  record: (fields: ReturnType<typeof sendProgressRecord>) => void;
  /** Least time between two redraws of the bar. */
  redrawMs?: number;
  /** Mails between two log records. */
  logEvery?: number;
}): { update: (p: SendProgress) => void; end: () => void } {
  const { status } = options;
  let lastDraw = 0;
  let drawn: SendProgress | null = null;
  let logged = -1;
  let unlogged: SendProgress | null = null;
  const log = (p: SendProgress) => {
    options.record(sendProgressRecord(p, options.transport));
    logged = p.done;
    unlogged = null;
  };
  return {
    update(p) {
      if (!status) {
        if (logged < 0 || p.done - logged >= (options.logEvery ?? 100) || p.done >= p.total) log(p);
        else unlogged = p;
        return;
      }
      drawn = p;
      const now = Date.now();
      if (now - lastDraw >= (options.redrawMs ?? 100) || p.done >= p.total) {
        lastDraw = now;
        status.show(formatSendProgress(p));
      }
    },
    end() {
      if (!status) {
        if (unlogged) log(unlogged);
        return;
      }
      if (drawn) status.show(formatSendProgress(drawn));
      drawn = null;
      status.end();
    },
  };
}
