// Reads a label file: `id,<topic>,<topic>,…` then one line per paper with a grade 0, 1 or 2 per topic. Lines
// starting with `#` say how the labels were made and are skipped. Pure: text in, labels out.
import { UsageError } from '../errors.ts';
import type { TopicGrades } from './score-selection.ts';

export interface Labels {
  /** Topic ids in the order of the header. */
  topics: string[];
  /** Grades of each topic by paper id. */
  grades: Map<string, TopicGrades>;
  /** Labelled paper ids in file order. */
  ids: string[];
}

const GRADE = /^[012]$/;

/** Throws a UsageError naming the line of the first malformed row. */
export function parseLabels(text: string, source: string): Labels {
  const rows = text
    .split(/\r?\n/)
    .map((line, index) => ({ line: index + 1, cells: line.split(',').map((cell) => cell.trim()) }))
    .filter(({ cells }) => !(cells.length === 1 && cells[0] === '') && !cells[0]?.startsWith('#'));
  const [header, ...body] = rows;
  if (!header || header.cells[0] !== 'id' || header.cells.length < 2) {
    throw new UsageError(`${source}: expected a header "id,<topic>,…" as the first line that is not a comment`);
  }
  const topics = header.cells.slice(1);
  const perTopic = new Map(topics.map((topic) => [topic, new Map<string, number>()]));
  const ids: string[] = [];
  for (const { line, cells } of body) {
    const [id = '', ...values] = cells;
    if (values.length !== topics.length || !values.every((value) => GRADE.test(value))) {
      throw new UsageError(`${source}:${line}: expected an id and ${topics.length} grades (0, 1 or 2)`);
    }
    if (ids.includes(id)) throw new UsageError(`${source}:${line}: paper ${id} is labelled twice`);
    ids.push(id);
    topics.forEach((topic, i) => perTopic.get(topic)?.set(id, Number(values[i])));
  }
  return { topics, grades: perTopic, ids };
}
