import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkCompatibility,
  compareWithBaseline,
  makeBaseline,
  parseCompatErrors,
  readBaseline,
} from '../../src/preview/check-compatibility.ts';
import { checkLinks, htmlLinks, textLinks } from '../../src/preview/check-links.ts';

describe('checkLinks', () => {
  it.each([
    ['<a href="https://arxiv.org/abs/2511.10593">abs</a>', [], []],
    ['<a href="https://arxiv.org/abs/x?a=1&amp;b=2">abs</a>', [], []],
    ['<a href="#d-llm">LLM</a><a name="d-llm"></a>', [], []],
    ['<a href="#d-agents">Agents</a><a name="d-llm"></a>', ['#d-agents: no anchor named "d-agents" in the mail'], []],
    ['<a href="__PB_UNSUBSCRIBE_URL__">x</a>', ['__PB_UNSUBSCRIBE_URL__: a per-reader placeholder is left in the link'], []],
    ['<a href="/issues/2025-11-14">x</a>', ['/issues/2025-11-14: not an absolute URL'], []],
    ['<a href="javascript:alert(1)">x</a>', ['javascript:alert(1): scheme javascript: is not a web or mail link'], []],
    ['<a href="https://arxiv.org/abs/ 2511">x</a>', ['https://arxiv.org/abs/ 2511: contains white space'], []],
    ['<a href="https://digest/issues">x</a>', ['https://digest/issues: host "digest" is not a public host name'], []],
    ['<a href="https://arxiv.org/abs/undefined">x</a>', ['https://arxiv.org/abs/undefined: contains undefined/null/NaN'], []],
    ['<a href="">x</a>', [': empty link'], []],
    ['<a href="mailto:digest@example.org">x</a>', [], []],
    ['<a href="http://localhost:8787/issues">x</a>', [], ['http://localhost:8787/issues: plain http: use https before going live']],
  ])('%s', (html, problems, warnings) => {
    const report = checkLinks({ html, text: '' });
    expect(report.problems.map((p) => `${p.url}: ${p.problem}`)).toEqual(problems);
    expect(report.warnings.map((p) => `${p.url}: ${p.problem}`)).toEqual(warnings);
  });

  it('reads the links of the text part, trims trailing punctuation, and finds placeholders outside links', () => {
    expect(textLinks('See https://arxiv.org/abs/2511.10593. Or (https://papers.cool/arxiv/2511.10593), 链接：https://a.example.org/x。')).toEqual([
      'https://arxiv.org/abs/2511.10593',
      'https://papers.cool/arxiv/2511.10593',
      'https://a.example.org/x',
    ]);
    const report = checkLinks({ html: '<p>sent to __PB_READER_EMAIL__</p>', text: 'Unsubscribe: https://x.example.org/u' });
    expect(report.checked).toBe(1);
    expect(report.problems).toEqual([{ url: '__PB_READER_EMAIL__', part: 'html', problem: 'a per-reader placeholder is left in the mail' }]);
    expect(htmlLinks(`<a class='x' href='https://a.example.org/?q=1&amp;r=2'>`)).toEqual(['https://a.example.org/?q=1&r=2']);
  });
});

describe('compatibility against the committed baseline', () => {
  const baseline = readBaseline('emails/compatibility-baseline.json')!;

  it('the baseline is committed and made with the checker the preview uses', () => {
    expect(baseline.problems.length).toBeGreaterThan(10);
    expect(baseline.checker).toMatch(/@jsx-email\/doiuse-email 1\.0\.4/);
    expect([...baseline.problems].sort((a, b) => a.localeCompare(b))).toEqual(baseline.problems);
  });

  it('parses caniemail findings into unique (feature, client) pairs', () => {
    expect(
      parseCompatErrors([
        '`@media` is not supported by `outlook.windows`',
        '`@media` is not supported by `outlook.windows`',
        '`display:flex` is not supported by `outlook.windows-mail`',
      ]),
    ).toEqual([
      { feature: '@media', client: 'outlook.windows' },
      { feature: 'display:flex', client: 'outlook.windows-mail' },
    ]);
    const pairs = [{ feature: 'a', client: 'x' }, { feature: 'b', client: 'y' }];
    expect(compareWithBaseline(pairs, makeBaseline([pairs[0]!], ['x']))).toEqual({ fresh: [pairs[1]], known: 1 });
  });

  it('flags only what the baseline does not know: a template that adds position or flex fails', async () => {
    const mail = readFileSync('emails/newsletter.sample.html', 'utf8');
    const clients = ['gmail.*', 'outlook.*', 'apple-mail.*', 'yahoo.*'];
    const same = await checkCompatibility(mail, clients, baseline);
    expect(same).toMatchObject({ fresh: [], unavailable: null });
    expect(same.known).toBeGreaterThan(10);

    const changed = mail.replace('<body', '<body><div style="position:absolute;display:flex">x</div><span');
    const report = await checkCompatibility(changed, clients, baseline);
    expect(report.fresh.map((p) => p.feature)).toEqual(expect.arrayContaining(['position', 'display:flex']));
    expect(report.fresh.every((p) => !baseline.problems.includes(`${p.feature} — ${p.client}`))).toBe(true);
  });
});
