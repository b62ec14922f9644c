import { describe, expect, it } from 'vitest';
import { createTerminalOutput } from '../../src/cli/terminal-output.ts';

function terminal() {
  const screen: string[] = [];
  const stream = (name: string) => ({ write: (chunk: string) => screen.push(`${name}:${JSON.stringify(chunk)}`) });
  return { screen, output: createTerminalOutput({ stdout: stream('out'), stderr: stream('err') }) };
}

describe('createTerminalOutput', () => {
  it('writes plain lines when no bar is shown', () => {
    const { screen, output } = terminal();
    output.err('hello');
    output.out('report');
    expect(screen).toEqual(['err:"hello\\n"', 'out:"report\\n"']);
  });

  it('erases the bar before a line and draws it again below, so they never share a line', () => {
    const { screen, output } = terminal();
    output.status.show('sending [██░░] 1/2 · 5 mail/s · ETA 1 s');
    output.err('segment en.llm: 3 readers');
    output.out('a result line');
    output.status.show('sending [████] 2/2 · 5 mail/s · done');
    output.status.end();
    output.err('after');
    expect(screen).toEqual([
      'err:"\\rsending [██░░] 1/2 · 5 mail/s · ETA 1 s\\u001b[K"',
      'err:"\\r\\u001b[K"',
      'err:"segment en.llm: 3 readers\\n"',
      'err:"\\rsending [██░░] 1/2 · 5 mail/s · ETA 1 s\\u001b[K"',
      'err:"\\r\\u001b[K"',
      'out:"a result line\\n"',
      'err:"\\rsending [██░░] 1/2 · 5 mail/s · ETA 1 s\\u001b[K"',
      'err:"\\rsending [████] 2/2 · 5 mail/s · done\\u001b[K"',
      // The finished bar stays, on a line of its own.
      'err:"\\n"',
      'err:"after\\n"',
    ]);
  });

  it('ends nothing when no bar is open', () => {
    const { screen, output } = terminal();
    output.status.end();
    expect(screen).toEqual([]);
  });
});
