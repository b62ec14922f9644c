import type { CliIO } from '../../src/cli/context.ts';

/** A CliIO that records what a command prints, with a fixed clock and its own environment. */
export function captureIO(env: NodeJS.ProcessEnv, now: Date): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env,
    now: () => now,
    isTTY: false,
  };
}
