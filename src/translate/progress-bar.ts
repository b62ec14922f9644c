// A one-line progress bar for a terminal: redrawn in place with a carriage return, finished with a newline.

/** Pure: `translating [██████░░░░░░] 12/20`. */
export function formatProgressBar(done: number, total: number, width = 24): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(share * width);
  return `translating [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

/** Feeds `update` to a terminal stream; the line ends once everything is done. */
export function createProgressBar(write: (chunk: string) => void): (done: number, total: number) => void {
  let last = '';
  return (done, total) => {
    const line = formatProgressBar(done, total);
    if (line === last) return;
    last = line;
    write(`\r${line}${done >= total ? '\n' : ''}`);
  };
}
