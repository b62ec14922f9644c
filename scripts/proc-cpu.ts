// CPU accounting for the delivery benchmark, read from Linux's /proc: how busy the whole machine was, and how much
// CPU the PostgreSQL server spent, between two readings. With the per-process figures the benchmark's children
// report themselves (process.resourceUsage), this says where the cores went while mail was being sent, and so what
// limits the scaling of several workers on a small machine. Outside Linux every reading is null.

import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every common Linux). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface MachineCpu {
  /** CPU seconds spent busy (not idle, not waiting for I/O) by all cores together. */
  busySeconds: number;
  /** CPU seconds of all cores together, busy or not. */
  totalSeconds: number;
  cores: number;
}

/** The machine's counters since boot (/proc/stat), or null where there is no /proc. */
export function readMachineCpu(): MachineCpu | null {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const fields = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user)
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const cores = lines.filter((l) => /^cpu\d+ /.test(l)).length;
    return { busySeconds: (total - idle) / TICKS_PER_SECOND, totalSeconds: total / TICKS_PER_SECOND, cores };
  } catch {
    return null;
  }
}

function statFields(pid: string): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields after it start at index 2 (state).
    const close = text.lastIndexOf(')');
    return [text.slice(0, text.indexOf(' ')), text.slice(text.indexOf('(') + 1, close), ...text.slice(close + 2).split(' ')];
  } catch {
    return null;
  }
}

/**
 * CPU seconds of a local PostgreSQL server so far: every live `postgres` process's own time, plus the time of
 * the backends that already exited, which the postmaster (the `postgres` process whose parent is not one) has
 * collected as its children's time. All of the server's work is in it, other databases' too. Null when no
 * `postgres` process is visible (a remote server, or no /proc).
 */
export function readPostgresCpu(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const processes = pids.map(statFields).filter((f): f is string[] => f !== null && f[1] === 'postgres');
  if (processes.length === 0) return null;
  const postgresPids = new Set(processes.map((f) => f[0]));
  let ticks = 0;
  for (const f of processes) {
    // Fields (1-based, proc(5)): 4 ppid, 14 utime, 15 stime, 16 cutime, 17 cstime.
    ticks += Number(f[13]) + Number(f[14]);
    if (!postgresPids.has(f[3]!)) ticks += Number(f[15]) + Number(f[16]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds (user, system) one process has used so far, or null when it is gone (or there is no /proc). */
export function readProcessCpu(pid: number): { user: number; system: number } | null {
  const f = statFields(String(pid));
  if (!f) return null;
  return { user: Number(f[13]) / TICKS_PER_SECOND, system: Number(f[14]) / TICKS_PER_SECOND };
}

export interface CpuSample {
  /** Epoch ms. */
  at: number;
  machine: MachineCpu | null;
  postgres: number | null;
  /** Per watched pid: user + system CPU seconds; the last value read once the process is gone. */
  processes: Map<number, number>;
}

/**
 * Reads the machine, the PostgreSQL server and the watched processes every `everyMs`, so that the CPU spent
 * between two moments (the sink's first and last mail) can be told afterwards.
 */
export function startCpuSampler(watched: () => readonly number[], everyMs = 200) {
  const samples: CpuSample[] = [];
  const last = new Map<number, number>();
  const take = () => {
    for (const pid of watched()) {
      const cpu = readProcessCpu(pid);
      if (cpu) last.set(pid, cpu.user + cpu.system);
    }
    samples.push({ at: Date.now(), machine: readMachineCpu(), postgres: readPostgresCpu(), processes: new Map(last) });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
    },
  };
}

export interface WindowCpu {
  /** The sampled span that covers the window, ms (a little longer than the window: samples are `everyMs` apart). */
  spanMs: number;
  machineBusySeconds: number | null;
  cores: number | null;
  postgresSeconds: number | null;
  /** Per watched pid, CPU seconds within the span. */
  processes: Map<number, number>;
}

/** The CPU spent from the last sample at or before `from` to the first sample at or after `to`. */
export function cpuBetween(samples: readonly CpuSample[], from: number, to: number): WindowCpu {
  const start = [...samples].reverse().find((s) => s.at <= from) ?? samples[0]!;
  const end = samples.find((s) => s.at >= to) ?? samples.at(-1)!;
  const processes = new Map<number, number>();
  for (const [pid, seconds] of end.processes) processes.set(pid, seconds - (start.processes.get(pid) ?? 0));
  return {
    spanMs: end.at - start.at,
    machineBusySeconds: start.machine && end.machine ? end.machine.busySeconds - start.machine.busySeconds : null,
    cores: end.machine?.cores ?? null,
    postgresSeconds: start.postgres !== null && end.postgres !== null ? end.postgres - start.postgres : null,
    processes,
  };
}
