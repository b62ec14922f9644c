import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The dependency rules of src/, checked on the source text: every relative import (`from '…'`, `import('…')`,
// `import '…'`, `export … from '…'`) of every file under src/ and emails/ is read with a regular expression.
//
// - No import cycle, between files or between units (a unit is a top-level folder of src/, or a file directly in
//   src/; emails/ holds the React Email templates that render/ renders, so it belongs to the render unit).
// - No import runs up the layers. From the top down, an import may go down or stay in its layer:
//
//     3  cli                                          the commands
//     2  run-issue.ts, run-wiring.ts, preview,        the orchestrator, the one wiring of run/schedule/preview,
//        schedule, web                                and the other front ends
//     1  arxiv, select, translate, render, deliver    the stages
//        config, subscribers, evaluate, run-report.ts what the stages are given, and the report assembled from
//                                                     what they return
//     0  store, links, net, log, errors.ts, types.ts, hidden-characters.ts, iso-date.ts, package-info.ts
//                                                     storage and the core every layer may use
//
// So store/ and the stages never import cli/, run-issue.ts, preview/, schedule/ or web/, and store/ imports no
// stage. `import type` counts like any import: a type from above still ties the lower file to the upper one (a
// change there breaks the file below, and the lower layer can no longer be read, tested or moved on its own).
// A new top-level folder or file under src/ fails the test until it is given a layer here.
//
// - A stage with a face (an index.ts) is imported from outside its folder only through that face (dynamic
//   `import()` aside), so its other files can change freely.
// - deliver/ never imports config/: run-wiring.ts narrows the config once into the settings deliver/ takes.

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const EMAILS = join(ROOT, 'emails');

const LAYERS: Record<string, number> = {
  cli: 3,
  'run-issue.ts': 2,
  'run-wiring.ts': 2,
  preview: 2,
  schedule: 2,
  web: 2,
  arxiv: 1,
  select: 1,
  translate: 1,
  render: 1,
  deliver: 1,
  config: 1,
  subscribers: 1,
  evaluate: 1,
  'run-report.ts': 1,
  store: 0,
  links: 0,
  net: 0,
  log: 0,
  'errors.ts': 0,
  'types.ts': 0,
  'hidden-characters.ts': 0,
  'iso-date.ts': 0,
  'package-info.ts': 0,
};

/** Imports that may run up the layers for now, `from → to` (paths under src/), each with the reason. Empty. */
const ALLOWED_UPWARD = new Map<string, string>([]);
/** Imports past a stage's face, `from → to` (paths under src/), each with the reason. */
const ALLOWED_PAST_FACE = new Map<string, string>([
  [
    'config/load-config.ts → arxiv/calendar.ts',
    'the default holiday list only: the face would load the feed parser (rss-parser) into every command at start',
  ],
]);
/** Cycles that may stay for now, as their sorted members joined by ' ↔ ', each with the reason. Empty. */
const ALLOWED_CYCLES = new Map<string, string>([]);

type Graph = Map<string, string[]>;

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\n]+)\1/g;

/** The relative specifiers a source text imports or re-exports. */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[2]!);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Files by their path from the repository root (`src/…`, `emails/…`), each with the files it imports. */
function readGraph(): { graph: Graph; missing: string[] } {
  const graph: Graph = new Map();
  const missing: string[] = [];
  for (const file of [...sourceFiles(SRC), ...sourceFiles(EMAILS)]) {
    const from = relative(ROOT, file).split(sep).join('/');
    const targets = relativeImports(readFileSync(file, 'utf8')).map((spec) => {
      const target = resolve(dirname(file), spec);
      if (!existsSync(target)) missing.push(`${from} → ${spec}`);
      return relative(ROOT, target).split(sep).join('/');
    });
    graph.set(from, [...new Set(targets)]);
  }
  return { graph, missing };
}

/** `src/store/runs.ts` → `store`; `src/run-issue.ts` → `run-issue.ts`; `emails/…` → `render`. */
function unitOf(path: string): string {
  if (path.startsWith('emails/')) return 'render';
  const inSrc = path.replace(/^src\//, '');
  return inSrc.split('/')[0]!;
}

/** The strongly connected components with more than one member (or a self-import): the import cycles. */
export function findCycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        members.push(w);
      } while (w !== v);
      if (members.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(members.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The graph between units: an edge wherever some file of one imports some file of another. */
export function unitGraph(graph: Graph, unit: (path: string) => string): Graph {
  const units: Graph = new Map();
  for (const [from, targets] of graph) {
    const a = unit(from);
    const edges = new Set(units.get(a) ?? []);
    for (const to of targets) if (unit(to) !== a) edges.add(unit(to));
    units.set(a, [...edges]);
  }
  return units;
}

/** Imports whose target sits in a higher layer than the importer, as `from → to`. */
export function upwardImports(graph: Graph, layerOf: (path: string) => number): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) if (layerOf(to) > layerOf(from)) found.push(`${from} → ${to}`);
  }
  return found.sort();
}

const layerOf = (path: string): number => LAYERS[unitOf(path)] ?? Number.NaN;

describe('the checker itself', () => {
  it('reads every form of relative import and nothing else', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b/b.ts';",
      'import {\n  c,\n  d,\n} from "./cd.ts";',
      "import './side-effect.ts';",
      "export { e } from './e.ts';",
      "export * from '../f.ts';",
      "const g = await import('./g.ts');",
      "import { h } from 'kysely';",
      "import { i } from 'node:fs';",
      "const text = 'from here';",
    ].join('\n');
    expect(relativeImports(source)).toEqual(['./a.ts', '../b/b.ts', './cd.ts', './side-effect.ts', './e.ts', '../f.ts', './g.ts']);
  });

  it('finds cycles and upward imports in a small graph', () => {
    const graph: Graph = new Map([
      ['src/store/a.ts', ['src/store/b.ts']],
      ['src/store/b.ts', ['src/store/a.ts', 'src/web/w.ts']],
      ['src/web/w.ts', ['src/store/a.ts']],
      ['src/cli/c.ts', ['src/web/w.ts']],
    ]);
    expect(findCycles(graph)).toEqual([['src/store/a.ts', 'src/store/b.ts', 'src/web/w.ts']]);
    expect(findCycles(unitGraph(graph, unitOf))).toEqual([['store', 'web']]);
    expect(upwardImports(graph, layerOf)).toEqual(['src/store/b.ts → src/web/w.ts']);
  });
});

describe('the dependencies of src/', () => {
  const { graph, missing } = readGraph();

  it('reads the imports of every source file, and every import names a file that exists', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/run-issue.ts')).toContain('src/arxiv/index.ts');
    expect(missing).toEqual([]);
  });

  it('gives every unit a layer', () => {
    const units = new Set([...graph.keys()].map(unitOf));
    expect([...units].filter((u) => !(u in LAYERS))).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const cycles = findCycles(graph).map((c) => c.join(' ↔ '));
    expect(cycles.filter((c) => !ALLOWED_CYCLES.has(c))).toEqual([]);
  });

  it('has no import cycle between units', () => {
    const cycles = findCycles(unitGraph(graph, unitOf)).map((c) => c.join(' ↔ '));
    expect(cycles.filter((c) => !ALLOWED_CYCLES.has(c))).toEqual([]);
  });

  it('has no import up the layers (store and the stages never reach cli, run-issue, preview, schedule or web)', () => {
    const upward = upwardImports(graph, layerOf).map((edge) => edge.replace(/^src\//, '').replace(' → src/', ' → '));
    expect(upward.filter((edge) => !ALLOWED_UPWARD.has(edge))).toEqual([]);
  });

  it('keeps the allow-lists honest: every entry still names an existing upward import or cycle', () => {
    const upward = new Set(upwardImports(graph, layerOf).map((edge) => edge.replace(/^src\//, '').replace(' → src/', ' → ')));
    const cycles = new Set([...findCycles(graph), ...findCycles(unitGraph(graph, unitOf))].map((c) => c.join(' ↔ ')));
    expect([...ALLOWED_UPWARD.keys()].filter((edge) => !upward.has(edge))).toEqual([]);
    expect([...ALLOWED_CYCLES.keys()].filter((cycle) => !cycles.has(cycle))).toEqual([]);
  });

  it('imports a stage with a face (index.ts) from outside only through that face', () => {
    const faces = new Set([...graph.keys()].filter((f) => /^src\/[^/]+\/index\.ts$/.test(f)).map((f) => f.split('/')[1]!));
    expect([...faces].sort()).toEqual(['arxiv', 'deliver', 'preview', 'render', 'schedule', 'select', 'translate']);
    const past: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const stage = to.split('/')[1]!;
        if (!to.startsWith('src/') || !faces.has(stage) || unitOf(from) === stage || to === `src/${stage}/index.ts`) continue;
        past.push(`${from.replace(/^src\//, '')} → ${to.replace(/^src\//, '')}`);
      }
    }
    expect(past.filter((edge) => !ALLOWED_PAST_FACE.has(edge)).sort()).toEqual([]);
    expect([...ALLOWED_PAST_FACE.keys()].filter((edge) => !past.includes(edge))).toEqual([]);
  });

  it('keeps the whole config out of deliver/ (it gets narrowed settings)', () => {
    const intoConfig = [...graph].filter(([from]) => from.startsWith('src/deliver/')).flatMap(([from, targets]) =>
      targets.filter((to) => to.startsWith('src/config/')).map((to) => `${from} → ${to}`),
    );
    expect(intoConfig).toEqual([]);
  });
});
