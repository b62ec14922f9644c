import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { parseSubscriberCsv } from '../../src/subscribers/parse-subscriber-csv.ts';

const TOPICS = DEFAULT_DOMAINS.map((d) => d.id);
const VALID = 'llm, agents, multimodal, reasoning, evaluation, vision, robotics';
const HEADER = 'email,name,topics,language';

function csv(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

describe('parseSubscriberCsv: good rows', () => {
  it('reads rows, normalizing email, topics, language and name', () => {
    const { rows, problems } = parseSubscriberCsv(
      csv(
        HEADER,
        'Ada@Example.ORG ,Ada Lovelace, LLM ; agents;llm ,Bilingual',
        'li@example.com,"李, 伟",vision,ZH',
        'bob@example.org,,robotics;reasoning,',
        'eve@example.org,"  Eve   ""the""  Reader ",evaluation,en',
      ),
      TOPICS,
    );
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { email: 'ada@example.org', name: 'Ada Lovelace', topics: ['llm', 'agents'], language: 'bilingual' },
      { email: 'li@example.com', name: '李, 伟', topics: ['vision'], language: 'zh' },
      { email: 'bob@example.org', name: null, topics: ['robotics', 'reasoning'], language: 'bilingual' },
      { email: 'eve@example.org', name: 'Eve "the" Reader', topics: ['evaluation'], language: 'en' },
    ]);
  });

  it('takes the columns in any order, ignores extra columns, and needs only email and topics', () => {
    expect(parseSubscriberCsv(csv('Topics, EMAIL ,joined', 'llm,a@example.org,2024-01-01'), TOPICS)).toEqual({
      rows: [{ email: 'a@example.org', name: null, topics: ['llm'], language: 'bilingual' }],
      problems: [],
    });
  });

  it('tolerates a BOM, CRLF line ends, blank lines and no final newline', () => {
    const text = '\uFEFFemail,name,topics,language\r\n\r\na@example.org,"Two\r\nLines",llm,en\r\n,,,\r\nb@example.org,B,vision,zh';
    expect(parseSubscriberCsv(text, TOPICS)).toEqual({
      rows: [
        { email: 'a@example.org', name: 'Two Lines', topics: ['llm'], language: 'en' },
        { email: 'b@example.org', name: 'B', topics: ['vision'], language: 'zh' },
      ],
      problems: [],
    });
  });

  it('counts lines the same with a BOM and CRLF line ends', () => {
    const text = '\uFEFFemail,name,topics,language\r\nok@example.org,"Name\r\nover\r\nlines",llm,en\r\nbad@example.org,X,llm,fr\r\n';
    expect(parseSubscriberCsv(text, TOPICS).problems).toEqual([
      { line: 5, email: 'bad@example.org', message: 'unknown language "fr" (valid: bilingual, zh, en; empty means bilingual)' },
    ]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    const { rows } = parseSubscriberCsv(csv(HEADER, 'a@example.org,Bob "Bobby" Li,llm,en'), TOPICS);
    expect(rows[0]?.name).toBe('Bob "Bobby" Li');
  });

  it('reads the sample list shipped in subscribers/', () => {
    const text = readFileSync(new URL('../../subscribers/sample.csv', import.meta.url), 'utf8');
    const { rows, problems } = parseSubscriberCsv(text, TOPICS);
    expect(problems).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(new Set(rows.map((r) => r.language))).toEqual(new Set(['bilingual', 'zh', 'en']));
  });
});

describe('parseSubscriberCsv: bad rows', () => {
  // Line 2-4 hold one record whose quoted name spans three lines, so the bad row after it is on line 5.
  const MULTILINE = 'ok@example.org,"Name over\nthree\nlines",llm,en';

  it.each([
    ['a bad email', [HEADER, 'not-an-email,X,llm,en'], { line: 2, email: 'not-an-email', message: '"not-an-email" is not a valid email address' }, []],
    ['two @', [HEADER, 'a@b@example.org,X,llm,en'], { line: 2, email: 'a@b@example.org', message: '"a@b@example.org" is not a valid email address' }, []],
    ['a missing email', [HEADER, ',X,llm,en'], { line: 2, message: 'missing email' }, []],
    ['an unknown topic after a multi-line name', [HEADER, MULTILINE, 'b@example.org,B,llm;quantum,en'], { line: 5, email: 'b@example.org', message: `unknown topic "quantum" (valid: ${VALID})` }, ['ok@example.org']],
    ['two unknown topics', [HEADER, 'b@example.org,B,cooking;llm;Sports,en'], { line: 2, email: 'b@example.org', message: `unknown topics "cooking", "sports" (valid: ${VALID})` }, []],
    ['topics split by commas', [HEADER, 'b@example.org,B,"llm,agents",en'], { line: 2, email: 'b@example.org', message: `unknown topic "llm,agents" (valid: ${VALID})` }, []],
    ['no topics', [HEADER, 'c@example.org,C, ; ,en'], { line: 2, email: 'c@example.org', message: `no topics: give one or more of ${VALID}, separated by ";"` }, []],
    ['an unknown language', [HEADER, 'd@example.org,D,llm,中文'], { line: 2, email: 'd@example.org', message: 'unknown language "中文" (valid: bilingual, zh, en; empty means bilingual)' }, []],
    ['a duplicate email, differently cased', [HEADER, 'e@example.org,E,llm,en', MULTILINE, 'E@Example.org,E2,vision,zh'], { line: 6, email: 'E@Example.org', message: 'duplicate email: already on line 2' }, ['e@example.org', 'ok@example.org']],
    ['a bad row whose own name spans lines', [HEADER, MULTILINE, 'm@example.org,"Ma\nLi",nope,en'], { line: 5, email: 'm@example.org', message: `unknown topic "nope" (valid: ${VALID})` }, ['ok@example.org']],
    ['a duplicate of a multi-line record', [HEADER, MULTILINE, 'OK@example.org,Again,llm,en'], { line: 5, email: 'OK@example.org', message: 'duplicate email: already on line 2' }, ['ok@example.org']],
    ['too few fields', [HEADER, 'f@example.org,F,llm'], { line: 2, email: 'f@example.org', message: 'expected 4 fields (as in the header), found 3' }, []],
    ['too many fields after a blank line', [HEADER, '', 'g@example.org,G,llm,en,extra'], { line: 3, email: 'g@example.org', message: 'expected 4 fields (as in the header), found 5' }, []],
    ['an unclosed quote', [HEADER, MULTILINE, '', 'h@example.org,"H,llm,en', 'i@example.org,I,llm,en'], { line: 6, message: 'a quoted field is never closed (a `"` without its closing `"`); nothing from here on was read' }, ['ok@example.org']],
  ] as const)('%s', (_label, lines, problem, kept) => {
    const { rows, problems } = parseSubscriberCsv(csv(...lines), TOPICS);
    expect(problems).toEqual([problem]);
    expect(rows.map((r) => r.email)).toEqual(kept);
  });

  it('keeps the good rows around bad ones and reports a bad row once with every reason', () => {
    const { rows, problems } = parseSubscriberCsv(
      csv(HEADER, 'a@example.org,A,llm,en', 'bad,B,nope,xx', 'c@example.org,C,vision,zh'),
      TOPICS,
    );
    expect(rows.map((r) => r.email)).toEqual(['a@example.org', 'c@example.org']);
    expect(problems).toEqual([
      {
        line: 3,
        email: 'bad',
        message:
          '"bad" is not a valid email address; ' +
          `unknown topic "nope" (valid: ${VALID}); ` +
          'unknown language "xx" (valid: bilingual, zh, en; empty means bilingual)',
      },
    ]);
  });

  it('reports an unclosed quote after the good rows it could read', () => {
    const { rows, problems } = parseSubscriberCsv(csv(HEADER, 'a@example.org,A,llm,en', 'b@example.org,"B,llm,en'), TOPICS);
    expect(rows.map((r) => r.email)).toEqual(['a@example.org']);
    expect(problems).toEqual([{ line: 3, message: expect.stringContaining('never closed') }]);
  });

  it.each([
    ['a missing column', ['email,name,language', 'a@example.org,A,en'], 'missing column topics: the header must name email and topics (name and language are optional), e.g. email,name,topics,language'],
    ['two missing columns', ['name,language', 'A,en'], 'missing columns email, topics: the header must name email and topics (name and language are optional), e.g. email,name,topics,language'],
    ['a repeated column', ['email,topics,Email', 'a@example.org,llm,b@example.org'], 'column email given twice: the header must name email and topics (name and language are optional), e.g. email,name,topics,language'],
    ['semicolons between columns', ['email;name;topics;language', 'a@example.org;A;llm;en'], 'missing columns email, topics: the header must name email and topics (name and language are optional), e.g. email,name,topics,language; columns are separated by commas, not semicolons (semicolons separate topics)'],
  ])('a header with %s is one problem on line 1 and no rows', (_label, lines, message) => {
    expect(parseSubscriberCsv(csv(...lines), TOPICS)).toEqual({ rows: [], problems: [{ line: 1, message }] });
  });

  it.each([[''], ['\uFEFF'], ['\n\n']])('an empty file (%j) is one problem', (text) => {
    expect(parseSubscriberCsv(text, TOPICS)).toEqual({
      rows: [],
      problems: [{ line: 1, message: 'the file is empty: expected a header line email,name,topics,language' }],
    });
  });
});

describe('parseSubscriberCsv: hostile values', () => {
  // The address rule itself (and its agreement with the web form) is tested in validate-address.test.ts.
  it('shows terminal escapes and bidi characters from a bad row escaped, and still imports the good rows', () => {
    const { rows, problems } = parseSubscriberCsv(
      csv(HEADER, 'a@example.org,A,llm,en', 'x\x1b]0;pwned\x07@example.org,X,llm;\u202egpj.exe,\x1b[2J', 'c@example.org,C,vision,zh'),
      TOPICS,
    );
    expect(rows.map((r) => r.email)).toEqual(['a@example.org', 'c@example.org']);
    expect(problems).toEqual([
      {
        line: 3,
        email: 'x\x1b]0;pwned\x07@example.org',
        message:
          '"x\\x1b]0;pwned\\x07@example.org" contains a control character U+001B at position 2; ' +
          `unknown topic "\\u202egpj.exe" (valid: ${VALID}); ` +
          'unknown language "\\x1b[2J" (valid: bilingual, zh, en; empty means bilingual)',
      },
    ]);
    // `email` is the raw value (for JSON and tests); the CLI escapes it when it prints the line.
    expect(problems[0]!.message).not.toMatch(/[\x1b\x07\u202e]/);
  });
});
