import { z } from 'zod';

// A model's answer is untrusted text that should be JSON. Whatever arrives, every paper's Chinese must end up under
// that paper's id or nowhere: ids are normalised and checked against the request, an id answered twice is thrown
// away (we cannot tell which copy is right), and from a broken or cut-off answer the complete items are salvaged
// one by one so that only the rest has to be asked again.

export interface ReplyItem {
  id: string;
  titleZh: string;
  abstractZh: string;
  /** Summary fields as the model gave them: checked item by item later (check-summary.ts), never here. */
  tldrEn?: unknown;
  tldrZh?: unknown;
  pointsEn?: unknown;
  pointsZh?: unknown;
  analysis?: unknown;
}

export interface ParsedReply {
  items: ReplyItem[];
  /** Problems with the answer as a whole or with items whose id is unknown (for logs and the report). */
  problems: string[];
  /** Items with an id whose fields were wrong: that paper is asked again. */
  brokenIds: string[];
  /** True when the answer was not one valid JSON document and items were picked out of it. */
  salvaged: boolean;
}

const text = z.string();
const itemSchema = z.object({
  id: z.union([z.string(), z.number()]).transform((v) => String(v)),
  title_zh: text,
  abstract_zh: text,
  // Whatever shape the summary fields have, the translation stays usable: they are judged item by item.
  tldr_en: z.unknown().optional(),
  tldr_zh: z.unknown().optional(),
  points_en: z.unknown().optional(),
  points_zh: z.unknown().optional(),
  analysis: z.unknown().optional(),
});

const ENVELOPE_KEYS = ['papers', 'translations', 'items', 'results', 'data'];

/** `arXiv:2511.10593v2` → `2511.10593`: models echo ids with prefixes and versions now and then. */
export function normalizeId(raw: string): string {
  return raw
    .trim()
    .replace(/^arxiv\s*:\s*/iu, '')
    .replace(/v\d+$/u, '');
}

/** Drops reasoning blocks and markdown code fences around the JSON. */
export function stripWrapping(content: string): string {
  return content
    .replace(/<think>[\s\S]*?<\/think>/giu, '')
    .replace(/^[\s\S]*?<\/think>/iu, '')
    .replace(/```(?:json|JSON)?\s*/gu, '')
    .trim();
}

/** The index of the `}` closing the `{` at `start`, or -1 when the text ends first. Strings are skipped. */
function closingBrace(source: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < source.length; i += 1) {
    const char = source[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') depth += 1;
    else if (char === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function tryJson(source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every complete `{…}` holding an "id" key, wherever it sits in a broken document. */
function salvageItems(source: string): unknown[] {
  const found: unknown[] = [];
  for (let start = source.indexOf('{'); start >= 0; ) {
    const end = closingBrace(source, start);
    const value = end < 0 ? undefined : tryJson(source.slice(start, end + 1));
    if (isRecord(value) && 'id' in value) {
      found.push(value);
      start = source.indexOf('{', end + 1);
    } else {
      start = source.indexOf('{', start + 1);
    }
  }
  return found;
}

/** The list of items in a parsed document, whichever of the usual shapes the model chose. */
function itemsOf(document: unknown): unknown[] | undefined {
  if (Array.isArray(document)) return document;
  if (!isRecord(document)) return undefined;
  for (const key of ENVELOPE_KEYS) {
    const value = document[key];
    if (Array.isArray(value)) return value;
  }
  if ('id' in document) return [document];
  const values = Object.values(document);
  if (values.length === 1 && Array.isArray(values[0])) return values[0];
  // { "2511.10593": { "title_zh": …, "abstract_zh": … } }
  if (values.length > 0 && values.every((v) => isRecord(v) && 'title_zh' in v)) {
    return Object.entries(document).map(([id, v]) => ({ ...(v as Record<string, unknown>), id }));
  }
  return undefined;
}

function idOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const id = value.id;
  return typeof id === 'string' || typeof id === 'number' ? normalizeId(String(id)) : undefined;
}

/** Pure: the items of a reply (see ParsedReply); never throws. */
export function parseReply(content: string): ParsedReply {
  const body = stripWrapping(content);
  const problems: string[] = [];
  const brokenIds: string[] = [];
  let raw = itemsOf(tryJson(body));
  let salvaged = false;
  if (raw === undefined) {
    salvaged = true;
    raw = salvageItems(body);
    problems.push(
      raw.length > 0
        ? `answer is not valid JSON; ${raw.length} complete item${raw.length > 1 ? 's' : ''} recovered`
        : 'answer is not valid JSON and holds no complete item',
    );
  }
  const items: ReplyItem[] = [];
  raw.forEach((value, index) => {
    const parsed = itemSchema.safeParse(value);
    if (!parsed.success) {
      const id = idOf(value);
      const what = parsed.error.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; ');
      if (id) brokenIds.push(id);
      else problems.push(`item ${index + 1}: ${what}`);
      return;
    }
    const item = parsed.data;
    items.push({
      id: normalizeId(item.id),
      titleZh: item.title_zh,
      abstractZh: item.abstract_zh,
      tldrEn: item.tldr_en ?? undefined,
      tldrZh: item.tldr_zh ?? undefined,
      pointsEn: item.points_en ?? undefined,
      pointsZh: item.points_zh ?? undefined,
      analysis: item.analysis ?? undefined,
    });
  });
  return { items, problems, brokenIds, salvaged };
}

export interface MatchedReply {
  /** The one item answered for each requested id. */
  byId: Map<string, ReplyItem>;
  /** Requested ids with no usable item, and why. */
  missing: Map<string, string>;
  /** Ids in the answer that were never asked for. */
  stray: string[];
}

/** Pure: pairs items with the requested ids; see the note at the top of this file. */
export function matchReply(requestedIds: readonly string[], reply: ParsedReply): MatchedReply {
  const requested = new Set(requestedIds);
  const counts = new Map<string, number>();
  for (const item of reply.items) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
  const byId = new Map<string, ReplyItem>();
  const missing = new Map<string, string>();
  const stray: string[] = [];
  for (const item of reply.items) {
    if (!requested.has(item.id)) {
      if (!stray.includes(item.id)) stray.push(item.id);
      continue;
    }
    if ((counts.get(item.id) ?? 0) > 1) missing.set(item.id, 'answered more than once');
    else byId.set(item.id, item);
  }
  const broken = new Set(reply.brokenIds);
  for (const id of requestedIds) {
    if (byId.has(id) || missing.has(id)) continue;
    missing.set(id, broken.has(id) ? 'answer item is malformed' : 'missing from the answer');
  }
  return { byId, missing, stray };
}
