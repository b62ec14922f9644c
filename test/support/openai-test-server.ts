import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local OpenAI-compatible chat-completions server for tests and the benchmark (127.0.0.1, a free port). It
// reads the papers from the request the way paperboy sends them ({"papers": [{id, title, abstract}]} as the user
// message) and answers with the recorded replies of test/fixtures/zh-2025-11-14.json, noisy titles and all (plus
// the 4 titles hand-written for the demo, see test/fixtures/README.md); a paper the fixture does not know (or
// whose title it lacks) gets a made-up Chinese text that keeps the English's names, numbers and $…$ spans. When
// the prompt asks for summaries, TL;DRs and key points come from test/fixtures/summaries-2025-11-14.json
// (hand-checked replies, and the TL;DRs written for the demo) or are made up from the paper's own names and
// numbers, so they pass the checks; the summary-* faults spoil them in the ways a model does. Faults are injected
// on demand and consumed by the requests they apply to.

export interface FixtureEntry {
  title_zh_raw?: string;
  title_zh?: string;
  abstract_zh?: string;
}

export interface SummaryEntry {
  tldr_en?: string;
  tldr_zh?: string;
  points_en?: string[];
  points_zh?: string[];
}

export type Fault =
  /** 429 with a retry-after header (seconds). */
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  | { kind: 'server-error' }
  /** 400, as for a bad model name; never retried. */
  | { kind: 'bad-request' }
  /** Holds the answer this long (default 10 s) so that the client times out first. */
  | { kind: 'timeout'; hangMs?: number }
  /** The answer's JSON cut off after this share of its length (default 0.6): a truncated reply. */
  | { kind: 'malformed'; keep?: number }
  /** The Chinese of two papers of the request exchanged, ids left in place. */
  | { kind: 'swap'; ids?: [string, string] }
  /** An English sentence of the abstract appended to the Chinese one. */
  | { kind: 'english' }
  /** Every $…$ span taken out of the Chinese abstract. */
  | { kind: 'drop-math' }
  /** Translator notes pasted after the title and the abstract. */
  | { kind: 'notes' }
  /** The paper left out of the answer. */
  | { kind: 'drop-item' }
  /** The first item of the answer given twice. */
  | { kind: 'duplicate' }
  /** A number the abstract does not contain added to the second key point (both languages). */
  | { kind: 'summary-number' }
  /** The English first key point put in the Chinese slot. */
  | { kind: 'summary-english' }
  /** The TL;DRs and points of two papers of the request exchanged (titles and abstracts left alone). */
  | { kind: 'summary-swap'; ids?: [string, string] }
  /** A 400-character third "point" in both languages. */
  | { kind: 'summary-long' }
  /** The Chinese TL;DR in markdown bold with a translator note. */
  | { kind: 'summary-markdown' }
  /** A model name the abstract never mentions in the first English point. */
  | { kind: 'summary-name' };

export interface InjectOptions {
  /** How many requests it applies to (default 1). */
  times?: number;
  /** Only requests that carry this paper; paper-level faults then hit this paper only. */
  paperId?: string;
}

export interface RecordedRequest {
  ids: string[];
  /** The system prompt carries the stricter instruction of a second try. */
  strict: boolean;
  jsonMode: boolean;
  status: number;
  system: string;
}

export interface OpenAITestServer {
  /** Base URL for the SDK / LLM_BASE_URL, ending in /v1. */
  url: string;
  requests: RecordedRequest[];
  tokens: { in: number; out: number };
  /** Most requests that were being answered at the same time. */
  peakConcurrency: number;
  inject(fault: Fault, options?: InjectOptions): void;
  /** Clears the recorded requests, counters and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

export interface TestServerOptions {
  fixture?: Record<string, FixtureEntry>;
  /** Recorded TL;DRs and points (default: test/fixtures/summaries-2025-11-14.json). */
  summaries?: Record<string, SummaryEntry>;
  /** Every answer waits this long (the benchmark's 2 s). */
  latencyMs?: number;
  /** Answer 400 to requests with response_format, like servers without JSON mode. */
  rejectJsonMode?: boolean;
}

interface PaperIn {
  id: string;
  title: string;
  abstract: string;
}

interface ItemOut {
  id: string;
  title_zh: string;
  abstract_zh: string;
  tldr_en?: string;
  tldr_zh?: string;
  points_en?: string[];
  points_zh?: string[];
  analysis?: Record<string, { en: string; zh: string }>;
}

export function loadSummaryFixture(): Record<string, SummaryEntry> {
  return JSON.parse(readFileSync(new URL('../fixtures/summaries-2025-11-14.json', import.meta.url), 'utf8')) as Record<
    string,
    SummaryEntry
  >;
}

export function loadZhFixture(): Record<string, FixtureEntry> {
  return JSON.parse(readFileSync(new URL('../fixtures/zh-2025-11-14.json', import.meta.url), 'utf8')) as Record<
    string,
    FixtureEntry
  >;
}

/** Rough token count: four ASCII characters or one and a half CJK characters make a token. */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    if (char.charCodeAt(0) < 128) ascii += 1;
    else other += 1;
  }
  return Math.ceil(ascii / 4 + other / 1.5);
}

const FILLER = [
  '本文研究了该领域中的一个重要问题',
  '我们提出了一种新的方法来解决这一挑战',
  '该方法在多个基准上取得了显著的提升',
  '实验结果表明所提方法具有良好的泛化能力',
  '我们还分析了不同设置下的性能差异',
  '代码和数据将公开发布',
];
const MATH = /\$\$[^$]+\$\$|\$(?!\s)[^$]+?(?<!\s)\$/gu;
const NAME = /\b(?:[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9-]*|\d+(?:\.\d+)?%?)/gu;

/** Made-up Chinese about a third as long as the English, keeping its names, numbers and math. */
export function synthesizeChinese(english: string): string {
  const keep = [...new Set([...(english.match(MATH) ?? []), ...(english.match(NAME) ?? [])])];
  const target = Math.max(12, Math.ceil(english.length * 0.35));
  let out = '';
  for (let i = 0; out.length < target || i < keep.length; i += 1) {
    const name = keep[i];
    out += `${FILLER[i % FILLER.length]}${name ? `（${name}）` : ''}。`;
  }
  return out;
}

function synthesizeTitle(title: string): string {
  const names = [...new Set(title.match(NAME) ?? [])].slice(0, 2);
  let zh = `${names.length > 0 ? `${names.join('与')}：` : ''}一种面向该问题的新方法研究`;
  // Long enough for the length check (a Chinese title runs to about a third of the English characters).
  while (zh.length < title.length * 0.3) zh += '及其应用';
  return zh;
}

/** A TL;DR and 3 points that say little but pass the checks: only this paper's own names and numbers. */
export function synthesizeSummary(paper: PaperIn): Required<SummaryEntry> {
  const found = [...new Set(`${paper.title} ${paper.abstract}`.replace(MATH, ' ').match(NAME) ?? [])];
  const name = found.find((t) => /[A-Za-z]/u.test(t));
  const number = found.find((t) => /^\d/u.test(t));
  return {
    tldr_en: `${name ?? 'This paper'} is a new approach${number ? ` that reaches ${number} in its main evaluation` : ' that improves on earlier work'}.`,
    tldr_zh: `本文提出${name ? ` ${name} ` : '一种新方法'}${number ? `，在主要评测中达到 ${number}` : '，并改进了已有工作'}。`,
    points_en: [
      `${name ?? 'The method'} is designed for the task the paper studies.`,
      number ? `The main result is ${number} on the reported evaluation.` : 'The main result improves on earlier approaches.',
      'It makes further work in this area easier.',
    ],
    points_zh: [
      `${name ? `${name} ` : '该方法'}是针对论文所研究任务设计的方法。`,
      number ? `主要结果为 ${number}。` : '主要结果优于已有方法。',
      '它为该领域的后续研究提供了便利。',
    ],
  };
}

/** An analysis made of the paper's own first name and number, in both languages. */
export function synthesizeAnalysis(paper: PaperIn): Record<string, { en: string; zh: string }> {
  const found = [...new Set(`${paper.title} ${paper.abstract}`.replace(MATH, ' ').match(NAME) ?? [])];
  const name = found.find((t) => /[A-Za-z]/u.test(t));
  const number = found.find((t) => /^\d/u.test(t));
  return {
    problem: { en: 'Existing approaches leave part of the task unsolved.', zh: '现有方法未能完全解决该任务。' },
    method: { en: `${name ?? 'The paper'} proposes a new method for it.`, zh: `${name ? `${name} ` : '本文'}为此提出了一种新方法。` },
    results: number
      ? { en: `It reports ${number} in its main evaluation.`, zh: `主要评测结果为 ${number}。` }
      : { en: 'It improves on earlier approaches.', zh: '其结果优于已有方法。' },
    limitations: { en: 'The abstract does not discuss limitations.', zh: '摘要未讨论其局限性。' },
  };
}

function translate(
  paper: PaperIn,
  fixture: Record<string, FixtureEntry>,
  summaries: Record<string, SummaryEntry> | null,
  analysis = false,
): ItemOut {
  const recorded = fixture[paper.id];
  const item: ItemOut = {
    id: paper.id,
    title_zh: recorded?.title_zh_raw ?? recorded?.title_zh ?? synthesizeTitle(paper.title),
    abstract_zh: recorded?.abstract_zh ?? synthesizeChinese(paper.abstract),
  };
  if (summaries) {
    const made = synthesizeSummary(paper);
    const good = summaries[paper.id] ?? {};
    item.tldr_en = good.tldr_en ?? made.tldr_en;
    item.tldr_zh = good.tldr_zh ?? made.tldr_zh;
    item.points_en = [...(good.points_en ?? made.points_en)];
    item.points_zh = [...(good.points_zh ?? made.points_zh)];
  }
  if (analysis) item.analysis = synthesizeAnalysis(paper);
  return item;
}

const TRANSPORT_FAULTS: ReadonlyArray<Fault['kind']> = ['rate-limit', 'server-error', 'bad-request', 'timeout'];

interface PendingFault {
  fault: Fault;
  left: number;
  paperId?: string | undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOpenAITestServer(options: TestServerOptions = {}): Promise<OpenAITestServer> {
  const fixture = options.fixture ?? loadZhFixture();
  const recordedSummaries = options.summaries ?? loadSummaryFixture();
  const faults: PendingFault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let active = 0;

  const wait = (ms: number, res: ServerResponse) =>
    new Promise<boolean>((resolve) => {
      if (ms <= 0) {
        resolve(!res.destroyed);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(!res.destroyed);
      }, ms);
      timers.add(timer);
      res.on('close', () => {
        if (timers.delete(timer)) {
          clearTimeout(timer);
          resolve(false);
        }
      });
    });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  // A request takes the first pending transport fault (429, 500, 400, a hang) in the order they were injected;
  // only a request that gets an answer takes the pending content faults, all of them.
  const takeFaults = (ids: string[]): PendingFault[] => {
    const applies = faults.filter((f) => f.left > 0 && (!f.paperId || ids.includes(f.paperId)));
    const transport = applies.find((f) => TRANSPORT_FAULTS.includes(f.fault.kind));
    const taken = transport ? [transport] : applies;
    for (const pending of taken) pending.left -= 1;
    return taken;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
      return;
    }
    const body = JSON.parse(await readBody(req)) as {
      model: string;
      messages: Array<{ role: string; content: string }>;
      response_format?: { type: string };
    };
    const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    const papers = (JSON.parse(user) as { papers: PaperIn[] }).papers;
    const ids = papers.map((p) => p.id);
    const record: RecordedRequest = {
      ids,
      strict: system.includes('previous answer for this paper was rejected'),
      jsonMode: body.response_format?.type === 'json_object',
      status: 200,
      system,
    };
    server.requests.push(record);

    if (options.rejectJsonMode && record.jsonMode) {
      record.status = 400;
      send(res, 400, { error: { message: 'response_format is not supported by this model', type: 'invalid_request_error' } });
      return;
    }
    const applied = takeFaults(ids);
    const transport = applied.find((f) => TRANSPORT_FAULTS.includes(f.fault.kind));
    if (!(await wait(options.latencyMs ?? 0, res))) return;
    if (transport) {
      const { fault } = transport;
      if (fault.kind === 'rate-limit') {
        record.status = 429;
        send(res, 429, { error: { message: 'Rate limit reached (RPM)', type: 'rate_limit_error' } }, {
          'retry-after': String(fault.retryAfterSeconds ?? 1),
        });
        return;
      }
      if (fault.kind === 'server-error') {
        record.status = 500;
        send(res, 500, { error: { message: 'internal error', type: 'server_error' } });
        return;
      }
      if (fault.kind === 'bad-request') {
        record.status = 400;
        send(res, 400, { error: { message: `The model \`${body.model}\` does not exist`, type: 'invalid_request_error' } });
        return;
      }
      if (fault.kind === 'timeout') {
        record.status = 0;
        if (!(await wait(fault.hangMs ?? 10_000, res))) return;
      }
    }

    const asked = system.includes('"points_en"') || system.includes('"tldr_en"');
    const items = papers.map((p) => translate(p, fixture, asked ? recordedSummaries : null, system.includes('"analysis"')));
    const itemOf = (id: string | undefined) => items.find((i) => i.id === id);
    let truncateAt: number | null = null;
    for (const { fault, paperId } of applied) {
      const targets = paperId ? items.filter((i) => i.id === paperId) : items.slice(0, 1);
      switch (fault.kind) {
        case 'swap': {
          const [a, b] = fault.ids ? [itemOf(fault.ids[0]), itemOf(fault.ids[1])] : [items[0], items[1]];
          if (a && b) {
            [a.title_zh, b.title_zh] = [b.title_zh, a.title_zh];
            [a.abstract_zh, b.abstract_zh] = [b.abstract_zh, a.abstract_zh];
          }
          break;
        }
        case 'english':
          for (const item of targets) {
            // The English's longest sentence, left as it was: what a hurried translator does.
            const sentences = (papers.find((p) => p.id === item.id)?.abstract ?? '').split(/(?<=\.)\s+/u);
            item.abstract_zh += ` ${sentences.reduce((a, b) => (b.length > a.length ? b : a), '')}`;
          }
          break;
        case 'drop-math':
          for (const item of targets) item.abstract_zh = item.abstract_zh.replace(MATH, '');
          break;
        case 'notes':
          for (const item of targets) {
            item.title_zh += '\n\n（注：本译文采用意译，"Benchmark"译为"基准"。）';
            item.abstract_zh += '\n\n注：以上翻译保留了原文的专业术语。';
          }
          break;
        case 'drop-item':
          for (const item of targets) items.splice(items.indexOf(item), 1);
          break;
        case 'duplicate':
          if (items[0]) items.push({ ...items[0] });
          break;
        case 'malformed':
          truncateAt = fault.keep ?? 0.6;
          break;
        case 'summary-number':
          for (const item of targets) {
            if (item.points_en?.[1]) item.points_en[1] = item.points_en[1].replace(/\.$/u, ', reaching 987.6% accuracy.');
            if (item.points_zh?.[1]) item.points_zh[1] = item.points_zh[1].replace(/。$/u, '，准确率达到 987.6%。');
          }
          break;
        case 'summary-english':
          for (const item of targets) if (item.points_zh && item.points_en?.[0]) item.points_zh[0] = item.points_en[0];
          break;
        case 'summary-swap': {
          const [a, b] = fault.ids ? [itemOf(fault.ids[0]), itemOf(fault.ids[1])] : [items[0], items[1]];
          if (a && b) {
            [a.tldr_en, b.tldr_en, a.tldr_zh, b.tldr_zh] = [b.tldr_en, a.tldr_en, b.tldr_zh, a.tldr_zh];
            [a.points_en, b.points_en, a.points_zh, b.points_zh] = [b.points_en, a.points_en, b.points_zh, a.points_zh];
          }
          break;
        }
        case 'summary-long':
          for (const item of targets) {
            if (item.points_en) item.points_en[2] = 'The method is evaluated in many settings and it works well. '.repeat(7).trim();
            if (item.points_zh) item.points_zh[2] = '该方法在多种设置下进行了评估，效果良好，并且具有广泛的适用性。'.repeat(13);
          }
          break;
        case 'summary-markdown':
          for (const item of targets) if (item.tldr_zh) item.tldr_zh = `**${item.tldr_zh}**（注：术语保留英文。）`;
          break;
        case 'summary-name':
          for (const item of targets) if (item.points_en?.[0]) item.points_en[0] = `Compared with GPT-5-Turbo, ${item.points_en[0]}`;
          break;
        default:
          break;
      }
    }
    let content = JSON.stringify({ papers: items }, null, 1);
    if (truncateAt !== null) content = content.slice(0, Math.floor(content.length * truncateAt));
    const tokensIn = estimateTokens(system + user);
    const tokensOut = estimateTokens(content);
    server.tokens.in += tokensIn;
    server.tokens.out += tokensOut;
    send(res, 200, {
      id: `chatcmpl-test-${server.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: truncateAt === null ? 'stop' : 'length' }],
      usage: { prompt_tokens: tokensIn, completion_tokens: tokensOut, total_tokens: tokensIn + tokensOut },
    });
  }

  const http = createServer((req, res) => {
    active += 1;
    server.peakConcurrency = Math.max(server.peakConcurrency, active);
    res.on('close', () => {
      active -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      send(res, 500, { error: { message: `test server: ${(error as Error).message}` } });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  const server: OpenAITestServer = {
    url: `http://127.0.0.1:${port}/v1`,
    requests: [],
    tokens: { in: 0, out: 0 },
    peakConcurrency: 0,
    inject(fault, injectOptions = {}) {
      faults.push({ fault, left: injectOptions.times ?? 1, paperId: injectOptions.paperId });
    },
    reset() {
      server.requests = [];
      server.tokens = { in: 0, out: 0 };
      server.peakConcurrency = 0;
      faults.length = 0;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      http.closeAllConnections();
      return new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve())));
    },
  };
  return server;
}
