import type { SendProgress } from './send-issue.ts';

// How sending progress is shown: a bar on a terminal, one JSON line per claim in a log. Pure formatting.

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

/** `sending [██████░░░░] 4,200/10,000 42% · 812 mails/s · ETA 7 s · 3 failed`. */
export function formatSendProgress(p: SendProgress, width = 24): string {
  const share = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(share * width);
  const rate = progressRate(p);
  const eta = p.done >= p.total ? 'done' : rate > 0 ? `ETA ${duration((p.total - p.done) / rate)}` : 'ETA ?';
  const parts = [
    `sending [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${count(p.done)}/${count(p.total)} ${Math.floor(share * 100)}%`,
    `${Math.round(rate)} mails/s`,
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

/** One log line per claim, for a log file or a cron mail. */
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
 * A progress sink: a bar redrawn in place on a terminal; else a JSON line per batch of about `logEvery` mails
 * (a Resend call carries 100; SMTP claims are a few mails, so they are gathered), and the last state at the end.
 */
export function createSendProgress(options: {
  isTTY: boolean;
  transport: string;
  /** Writes raw text to the terminal (no newline added). */
  write: (chunk: string) => void;
  /** Writes one line. */
  line: (text: string) => void;
  /** Least time between two redraws of the bar. */
  redrawMs?: number;
  /** Mails between two log lines. */
  logEvery?: number;
}): { update: (p: SendProgress) => void; end: () => void } {
  let lastDraw = 0;
  let drawn: SendProgress | null = null;
  let open = false;
  let logged = -1;
  let unlogged: SendProgress | null = null;
  const log = (p: SendProgress) => {
    options.line(JSON.stringify(sendProgressRecord(p, options.transport)));
    logged = p.done;
    unlogged = null;
  };
  const draw = (p: SendProgress) => {
    options.write(`\r${formatSendProgress(p)}\u001b[K`);
    open = true;
  };
  return {
    update(p) {
      if (!options.isTTY) {
        if (logged < 0 || p.done - logged >= (options.logEvery ?? 100) || p.done >= p.total) log(p);
        else unlogged = p;
        return;
      }
      drawn = p;
      const now = Date.now();
      if (now - lastDraw >= (options.redrawMs ?? 100) || p.done >= p.total) {
        lastDraw = now;
        draw(p);
      }
    },
    end() {
      if (!options.isTTY) {
        if (unlogged) log(unlogged);
        return;
      }
      if (!open) return;
      if (drawn) draw(drawn);
      options.write('\n');
      open = false;
    },
  };
}
