// One `paperboy run` for bench-deliver.ts, in a process of its own, reporting its wall time, CPU (user and system)
// and peak RSS:
// `node scripts/bench-deliver-child.mjs dist '<args as JSON>'` runs the compiled program (what `paperboy` runs);
// with `src` (under `--import tsx`) the TypeScript source. Plain JavaScript, so the compiled run loads no tsx.
const [which, argsJson] = process.argv.slice(2);
const { runCli } = await import(which === 'src' ? '../src/cli/main.ts' : '../dist/src/cli/main.js');
const args = JSON.parse(argsJson);
const out = [];
const errors = [];
const io = {
  out: (t) => out.push(t),
  // Progress lines are dropped; anything else is kept for a failure message.
  err: (t) => void (t.startsWith('{') || errors.push(t)),
  env: process.env,
  now: () => new Date(),
  isTTY: false,
};
const started = performance.now();
const every = Number(process.env.BENCH_HEAP) > 1 ? Number(process.env.BENCH_HEAP) : 5000;
const sampler = process.env.BENCH_HEAP
  ? setInterval(() => {
      // With BENCH_NODE_ARGS=--expose-gc, a full collection first: the live heap, not the garbage not yet collected.
      globalThis.gc?.();
      const m = process.memoryUsage();
      const mb = (n) => (n / 1e6) | 0;
      process.stderr.write(`rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}\n`);
    }, every)
  : undefined;
const exitCode = await runCli(args, io);
if (sampler) clearInterval(sampler);
if (out.length === 0) {
  process.stderr.write(`the run printed no report (exit ${exitCode}):\n${errors.slice(-20).join('\n')}\n`);
  process.exit(1);
}
const usage = process.resourceUsage();
const result = {
  exitCode,
  wallMs: Math.round(performance.now() - started),
  maxRssBytes: usage.maxRSS * 1024,
  cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
  userCpuMs: usage.userCPUTime / 1000,
  systemCpuMs: usage.systemCPUTime / 1000,
  report: JSON.parse(out.join('\n')),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
