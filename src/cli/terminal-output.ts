import type { StatusLine } from '../log/logger.ts';

// stdout and stderr lines that share a terminal with a status line (a progress bar redrawn in place). A line
// written while a bar is shown first erases the bar, then the bar is drawn again below it: log lines scroll above
// the bar and never land inside it ("ETA 8 ssegment …").

interface Writable {
  write(chunk: string): unknown;
}

/** Back to the start of the line, and erase to its end: a shorter text would leave the tail of a longer one. */
const redraw = (text: string) => `\r${text}\u001b[K`;

export function createTerminalOutput(streams: { stdout: Writable; stderr: Writable }): {
  out: (text: string) => void;
  err: (text: string) => void;
  status: StatusLine;
} {
  let shown: string | null = null;
  const status: StatusLine = {
    show(text) {
      streams.stderr.write(redraw(text));
      shown = text;
    },
    end() {
      if (shown === null) return;
      streams.stderr.write('\n');
      shown = null;
    },
  };
  const line = (stream: Writable) => (text: string) => {
    if (shown !== null) streams.stderr.write(redraw(''));
    stream.write(`${text}\n`);
    if (shown !== null) streams.stderr.write(redraw(shown));
  };
  return { out: line(streams.stdout), err: line(streams.stderr), status };
}
