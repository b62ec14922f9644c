// `npm run bench:startup`: how long `paperboy --help` takes to start, against `node -e 0` measured in the same run
// (interleaved, so a busy machine slows both alike). Target: at most 2× `node -e 0`. Plain Node, no tsx: it times
// the built program (`npm run build` first).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'paperboy.js');
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
const commands = {
  'node -e 0': ['-e', '0'],
  'paperboy --help': [bin, '--help'],
  'paperboy --version': [bin, '--version'],
};

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (const args of Object.values(commands)) timeOnce(args); // warm the file cache
for (let round = 0; round < rounds; round += 1) {
  for (const [name, args] of Object.entries(commands)) samples[name].push(timeOnce(args));
}

const reference = median(samples['node -e 0']);
console.log(`startup on Node ${process.version}, median of ${rounds} interleaved rounds`);
for (const [name, values] of Object.entries(samples)) {
  const ms = median(values);
  console.log(`  ${name.padEnd(20)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / reference).toFixed(2)}× node -e 0`);
}
const ratio = median(samples['paperboy --help']) / reference;
console.log(`paperboy --help / node -e 0 = ${ratio.toFixed(2)} (target ≤ 2.00): ${ratio <= 2 ? 'met' : 'NOT met'}`);
