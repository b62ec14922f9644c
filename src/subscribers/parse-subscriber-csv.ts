import { CsvError, parse } from 'csv-parse/sync';
import type { SubscriberInput } from '../store/subscribers.ts';
import { escapeForTerminal } from '../hidden-characters.ts';
import { FREQUENCIES, LANGUAGES, type Frequency, type Language, type ReaderInterests } from '../types.ts';
import { INTEREST_KINDS, parseInterestList } from './reader-interests.ts';
import { checkAddress } from './validate-address.ts';

export interface CsvProblem {
  /** 1-based line where the record starts (the header is line 1). */
  line: number;
  email?: string;
  message: string;
}

export interface ParsedSubscriberCsv {
  rows: SubscriberInput[];
  problems: CsvProblem[];
}

export const CSV_COLUMNS = ['email', 'name', 'topics', 'language'] as const;
/** Optional columns, each a `;`-separated list; a column left out keeps what the reader has. */
export const INTEREST_COLUMNS = INTEREST_KINDS;
/** Optional: `daily` or `weekly` (issue 12, part 5); empty means daily, a column left out keeps what is stored. */
export const FREQUENCY_COLUMN = 'frequency' as const;
type Column = (typeof CSV_COLUMNS)[number] | (typeof INTEREST_COLUMNS)[number] | typeof FREQUENCY_COLUMN;
const REQUIRED: readonly Column[] = ['email', 'topics'];

/** A value from the file inside a message: quoted, with anything that could act on a terminal shown escaped. */
const quote = (value: string) => `"${escapeForTerminal(value)}"`;

interface CsvRecord {
  fields: string[];
  line: number;
}

function countNewlines(fields: readonly string[]): number {
  let n = 0;
  for (const field of fields) for (const ch of field) if (ch === '\n') n++;
  return n;
}

function syntaxMessage(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed (a `"` without its closing `"`); nothing from here on was read';
    default:
      return `the CSV cannot be read here (${error.code}); nothing from here on was read`;
  }
}

/** Reads records, each with the line it starts on; stops at a syntax error and reports where. */
function readRecords(text: string): { records: CsvRecord[]; problem?: CsvProblem } {
  const records: CsvRecord[] = [];
  let lastEnd = 0;
  try {
    parse(text, {
      relax_column_count: true,
      // A quote inside an unquoted field (`Bob "Bobby" Li`) is kept as text rather than rejected.
      relax_quotes: true,
      skip_empty_lines: true,
      on_record: (fields: string[], context) => {
        // `lines` is where the record ends; a quoted field spanning lines moves its start back.
        records.push({ fields, line: context.lines - countNewlines(fields) });
        lastEnd = context.lines;
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const lines = text.split('\n');
    let line = lastEnd + 1;
    while (line < lines.length && lines[line - 1]?.trim() === '') line++;
    return { records, problem: { line, message: syntaxMessage(error) } };
  }
  return { records };
}

/**
 * Parses a subscriber list: a header naming `email` and `topics` (and optionally `name`, `language`, `keywords`,
 * `exclude`, `authors` and `frequency`, in any order; other columns are ignored), then one reader per record. Good rows are returned; each bad row is left out
 * and reported once, with its line and every reason (joined by "; ").
 */
export function parseSubscriberCsv(text: string, knownTopics: readonly string[]): ParsedSubscriberCsv {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const { records, problem: syntaxProblem } = readRecords(normalized);
  const problems: CsvProblem[] = [];
  const rows: SubscriberInput[] = [];
  const finish = (): ParsedSubscriberCsv => {
    if (syntaxProblem) problems.push(syntaxProblem);
    return { rows, problems };
  };

  const [header, ...body] = records;
  if (!header) {
    problems.push({ line: 1, message: `the file is empty: expected a header line ${CSV_COLUMNS.join(',')}` });
    return finish();
  }
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index = new Map<Column, number>();
  const repeated: string[] = [];
  for (const column of [...CSV_COLUMNS, ...INTEREST_COLUMNS, FREQUENCY_COLUMN]) {
    const at = names.indexOf(column);
    if (at >= 0) index.set(column, at);
    if (names.lastIndexOf(column) !== at) repeated.push(column);
  }
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0 || repeated.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    if (repeated.length > 0) parts.push(`column${repeated.length > 1 ? 's' : ''} ${repeated.join(', ')} given twice`);
    let message = `${parts.join('; ')}: the header must name email and topics (name and language are optional), e.g. ${CSV_COLUMNS.join(',')}`;
    if (header.fields.length === 1 && (header.fields[0] ?? '').includes(';')) {
      message += '; columns are separated by commas, not semicolons (semicolons separate topics)';
    }
    problems.push({ line: header.line, message });
    return finish();
  }

  const topicIds = new Map(knownTopics.map((t) => [t.toLowerCase(), t]));
  const validTopics = knownTopics.join(', ');
  const firstLineOf = new Map<string, number>();
  const untrimmed = (record: CsvRecord, column: Column): string => {
    const at = index.get(column);
    return at === undefined ? '' : (record.fields[at] ?? '');
  };
  const field = (record: CsvRecord, column: Column): string => untrimmed(record, column).trim();

  for (const record of body) {
    if (record.fields.every((f) => f.trim() === '')) continue;
    // As typed: `trim()` would drop a no-break space or a BOM that the address rule refuses (as the web form does).
    const typedEmail = untrimmed(record, 'email');
    const rawEmail = typedEmail.trim();
    // One problem per bad row, with all its reasons, so the count of problems is the count of rows left out.
    const reasons: string[] = [];
    const flush = () => {
      const message = reasons.join('; ');
      problems.push(rawEmail ? { line: record.line, email: rawEmail, message } : { line: record.line, message });
    };

    if (record.fields.length !== header.fields.length) {
      reasons.push(`expected ${header.fields.length} fields (as in the header), found ${record.fields.length}`);
      flush();
      continue;
    }

    // The same rule and normal form as the web sign-up form (validate-address.ts).
    const address = checkAddress(typedEmail);
    if (address.ok) {
      const first = firstLineOf.get(address.address);
      if (first !== undefined) reasons.push(`duplicate email: already on line ${first}`);
      else firstLineOf.set(address.address, record.line);
    } else {
      reasons.push(address.problem === 'missing' ? 'missing email' : `${quote(typedEmail)} ${address.reason}`);
    }

    const topics = [
      ...new Set(
        field(record, 'topics')
          .split(';')
          .map((t) => t.trim().toLowerCase())
          .filter((t) => t !== ''),
      ),
    ];
    const unknown = topics.filter((t) => !topicIds.has(t));
    if (topics.length === 0) {
      reasons.push(`no topics: give one or more of ${validTopics}, separated by ";"`);
    } else if (unknown.length > 0) {
      const list = unknown.map(quote).join(', ');
      reasons.push(`unknown topic${unknown.length > 1 ? 's' : ''} ${list} (valid: ${validTopics})`);
    }

    const languageText = field(record, 'language');
    const language = (languageText === '' ? 'bilingual' : languageText.toLowerCase()) as Language;
    if (!LANGUAGES.includes(language)) {
      reasons.push(`unknown language ${quote(languageText)} (valid: ${LANGUAGES.join(', ')}; empty means bilingual)`);
    }

    let frequency: Frequency | undefined;
    if (index.has(FREQUENCY_COLUMN)) {
      const frequencyText = field(record, FREQUENCY_COLUMN);
      const value = frequencyText === '' ? 'daily' : frequencyText.toLowerCase();
      if ((FREQUENCIES as readonly string[]).includes(value)) frequency = value as Frequency;
      else reasons.push(`unknown frequency ${quote(frequencyText)} (valid: ${FREQUENCIES.join(', ')}; empty means daily)`);
    }

    const interests: Partial<ReaderInterests> = {};
    for (const kind of INTEREST_COLUMNS) {
      if (!index.has(kind)) continue;
      const parsed = parseInterestList(field(record, kind), kind);
      interests[kind] = parsed.values;
      for (const problem of parsed.problems) {
        reasons.push(`${kind}: ${problem.value === undefined ? '' : `${quote(problem.value)} `}${problem.reason}`);
      }
    }

    if (reasons.length > 0 || !address.ok) {
      flush();
      continue;
    }
    // Line breaks and runs of spaces in a name would end up in a To: header; one space is what was meant.
    const name = field(record, 'name').replace(/\s+/g, ' ');
    rows.push({
      email: address.address,
      name: name === '' ? null : name,
      topics: topics.map((t) => topicIds.get(t) ?? t),
      language,
      ...(Object.keys(interests).length > 0 ? { interests } : {}),
      ...(frequency ? { frequency } : {}),
    });
  }
  return finish();
}
