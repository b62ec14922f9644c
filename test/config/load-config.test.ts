import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatKeyPath, loadConfig, validateConfig } from '../../src/config/load-config.ts';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { DEFAULT_GLOSSARY } from '../../src/config/default-glossary.ts';
import { ConfigError } from '../../src/errors.ts';

const domain = (over: Record<string, unknown> = {}) => ({
  id: 'llm',
  name: { en: 'LLM', zh: '大语言模型' },
  description: { en: 'Language models.', zh: '语言模型。' },
  categories: ['cs.CL'],
  include: ['LLM'],
  ...over,
});

describe('validateConfig', () => {
  it('accepts an empty config and fills every default', () => {
    const result = validateConfig({});
    expect(result.errors).toBeUndefined();
    expect(result.config?.domains.map((d) => d.id)).toEqual(['llm', 'agents', 'multimodal', 'reasoning', 'evaluation', 'vision', 'robotics']);
    expect(result.config?.render.maxHtmlBytes).toBe(90_000);
    expect(result.config?.delivery.transport).toBe('outbox');
  });

  it('ships the domains the issue asks for, with both names', () => {
    const names = Object.fromEntries(DEFAULT_DOMAINS.map((d) => [d.id, d.name.zh]));
    expect(names).toMatchObject({
      llm: '大语言模型',
      agents: '智能体',
      multimodal: '多模态',
      reasoning: '推理',
      evaluation: '评测与基准',
      vision: '计算机视觉',
      robotics: '机器人',
    });
  });

  it.each([
    [{ domains: [domain({ cap: 'six' })] }, 'domains[0].cap:'],
    [{ domains: [domain({ id: 'Bad Id' })] }, 'domains[0].id: expected a short id'],
    [{ domains: [domain(), domain()] }, 'domains[1].id: "llm" is already used by domains[0]'],
    [{ domains: [domain({ categories: ['cs CL'] })] }, 'domains[0].categories[0]: expected an arXiv category'],
    [{ domains: [domain({ include: ['/([a-z/'] })] }, 'domains[0].include[0]:'],
    [{ domains: [domain({ include: ['LLM', { pattern: '/([a-z/', weight: 2 }] })] }, 'domains[0].include[1]:'],
    [{ domains: [domain({ include: [{ pattern: 'LLM', in: 'everywhere' }] })] }, 'domains[0].include[0]: expected a word'],
    [{ domains: [domain({ include: [42] })] }, 'domains[0].include[0]: expected a word or phrase, or { pattern'],
    [{ domains: [domain({ include: [{ pattern: 'LLM', wieght: 2 }] })] }, 'domains[0].include[0]: unknown key "wieght"'],
    [{ domains: [domain({ minScore: 'high' })] }, 'domains[0].minScore:'],
    [{ domains: [domain({ categoryWeights: { 'cs.RO': 'much' } })] }, 'domains[0].categoryWeights.cs.RO:'],
    [{ domains: [domain({ announceTypes: ['fresh'] })] }, 'domains[0].announceTypes[0]:'],
    [{ domains: [] }, 'domains: expected at least one domain'],
    [{ newsletter: { publicBaseUrl: 'digest.example.org' } }, 'newsletter.publicBaseUrl: expected an http(s) URL'],
    [{ newsletter: { from: 'not an address' } }, 'newsletter.from: expected an address'],
    [{ render: { maxHtmlBytes: 500_000 } }, 'render.maxHtmlBytes:'],
    [{ arxiv: { holidays: ['2025-13-45x'] } }, 'arxiv.holidays[0]: expected a date'],
    [{ newsletter: { nmae: 'typo' } }, 'newsletter: unknown key "nmae"'],
    [{ digest: { weeklyOn: 'saturday' } }, 'digest.weeklyOn: expected a weekday with an arXiv batch: monday, tuesday, wednesday, thursday, friday'],
    [{ digest: { weeklyon: 'friday' } }, 'digest: unknown key "weeklyon"'],
  ])('names the bad key: %j', (input, message) => {
    const result = validateConfig(input);
    expect(result.config).toBeUndefined();
    expect(result.errors?.join('\n')).toContain(message);
  });

  it('defaults the weekly digest to Fridays', () => {
    expect(validateConfig({}).config?.digest).toEqual({ weeklyOn: 'friday' });
    expect(validateConfig({ digest: { weeklyOn: 'tuesday' } }).config?.digest.weeklyOn).toBe('tuesday');
  });

  it('accepts weighted include patterns, a minScore and category priors next to plain keywords', () => {
    const weighted = domain({
      include: ['LLM', { pattern: 'benchmark', weight: 0.5 }, { pattern: '/bench/', in: 'title', weight: -1 }],
      minScore: 2.5,
      categoryWeights: { 'cs.CL': 1 },
    });
    const result = validateConfig({ domains: [weighted] });
    expect(result.errors).toBeUndefined();
    expect(result.config?.domains[0]).toMatchObject({ include: weighted.include, minScore: 2.5, categoryWeights: { 'cs.CL': 1 } });
  });

  it('warns when links would not be https', () => {
    const result = validateConfig({ newsletter: { publicBaseUrl: 'http://localhost:8787/' } });
    expect(result.config?.newsletter.publicBaseUrl).toBe('http://localhost:8787');
    expect(result.warnings.join()).toContain('https');
  });

  it('formats key paths the way the YAML reads', () => {
    expect(formatKeyPath(['domains', 2, 'include', 0])).toBe('domains[2].include[0]');
    expect(formatKeyPath([])).toBe('(top level)');
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-config-'));

  it('reads the commented example file as it ships', () => {
    const { config, file } = loadConfig('paperboy.config.example.yaml', {});
    expect(file).toMatch(/paperboy\.config\.example\.yaml$/);
    expect(config.newsletter.publicBaseUrl).toBe('https://digest.example.org');
  });

  it('ships the default glossary and summaries switch in the example file as the schema defaults them', () => {
    const { config } = loadConfig('paperboy.config.example.yaml', {});
    expect(config.translation.glossary).toEqual(DEFAULT_GLOSSARY);
    expect(config.translation.glossary).toEqual(validateConfig({}).config?.translation.glossary);
    expect(config.translation.summaries).toBe(true);
  });

  it('says where the YAML is broken', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'newsletter:\n  name: "unterminated\n  from: x\n');
    expect(() => loadConfig(file, {})).toThrow(/not valid YAML at line \d/);
  });

  it('explains how to create a missing file', () => {
    expect(() => loadConfig(join(dir, 'nope.yaml'), {})).toThrow(/does not exist; copy paperboy\.config\.example\.yaml/);
  });

  it('lists every problem in one ConfigError', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'render:\n  maxAuthors: 0\ndelivery:\n  transport: pigeon\n');
    try {
      loadConfig(file, {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
      expect((error as Error).message).toContain('render.maxAuthors');
      expect((error as Error).message).toContain('delivery.transport');
    }
  });

  it('takes the file from PAPERBOY_CONFIG', () => {
    const file = join(dir, 'env.yaml');
    writeFileSync(file, 'newsletter:\n  name: From env\n');
    expect(loadConfig(undefined, { PAPERBOY_CONFIG: file }).config.newsletter.name).toBe('From env');
  });
});
