import type { StatusLine } from '../log/logger.ts';

// A one-line progress bar for a terminal: redrawn in the status line, ended once everything is done.

/** Pure: `translating [██████░░░░░░] 12/20`. */
export function formatProgressBar(done: number, total: number, width = 24): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(share * width);
  return `translating [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

/** Feeds `update` to the terminal's status line; the line ends once everything is done. */
export function createProgressBar(status: StatusLine): (done: number, total: number) => void {
  let last = '';
  return (done, total) => {
    const line = formatProgressBar(done, total);
    if (line === last) return;
    last = line;
    status.show(line);
    if (done >= total) status.end();
  };
}
