import type { GlossaryTerm } from '../config/default-glossary.ts';

// The glossary as the canonical wording (issue 11, item 6): after a reply is parsed, after an import is cleaned and
// when a stored translation is read, the variants a glossary entry lists are replaced by its rendering, so a
// paper's title, abstract, TL;DR and points use one word for one term. Pure.

/** English term → its Chinese rendering, alone (`"智能体"`) or with the variants to replace. */
export type Glossary = Readonly<Record<string, string | GlossaryTerm>>;

export function renderingOf(entry: string | GlossaryTerm): string {
  return typeof entry === 'string' ? entry : entry.zh;
}

function variantsOf(entry: string | GlossaryTerm): readonly string[] {
  return typeof entry === 'string' ? [] : entry.variants;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole words, any case, hyphen or space between words, an optional plural: "agent" finds "Agents". */
export function glossaryPattern(term: string): RegExp {
  const words = term.trim().split(/[\s-]+/u).map(escapeRegExp);
  return new RegExp(`(?<![A-Za-z])${words.join('[\\s-]+')}(?:s|es)?(?![A-Za-z])`, 'iu');
}

/** A replacement: variant → rendering, for the glossary entries whose English term occurs in the paper. */
export type VariantRule = readonly [variant: string, rendering: string];

/**
 * The replacements that apply to one paper: only terms its English uses (a "代理" in a paper without "agent" is a
 * proxy), longest variant first so "多模态大型语言模型" is handled before "大型语言模型".
 */
export function variantRulesFor(glossary: Glossary, english: string): VariantRule[] {
  const rules: VariantRule[] = [];
  for (const [term, entry] of Object.entries(glossary)) {
    const variants = variantsOf(entry);
    if (variants.length === 0 || !glossaryPattern(term).test(english)) continue;
    const zh = renderingOf(entry);
    // A variant contained in the rendering itself (智能代理 vs 代理 is fine; 大模型 inside 大语言模型 is not) would
    // be replaced inside text that is already canonical.
    for (const variant of variants) if (variant !== zh && !zh.includes(variant)) rules.push([variant, zh]);
  }
  return rules.sort((a, b) => b[0].length - a[0].length);
}

/** Pure: the text with every listed variant replaced by its canonical rendering. */
export function applyVariantRules(text: string, rules: readonly VariantRule[]): string {
  if (rules.length === 0 || text === '') return text;
  const pattern = new RegExp(rules.map(([variant]) => escapeRegExp(variant)).join('|'), 'gu');
  const to = new Map(rules);
  const han = /\p{Script=Han}/u;
  return text.replace(pattern, (found, offset: number, whole: string) => {
    const rendering = to.get(found) ?? found;
    if (!/^[A-Za-z]/u.test(rendering)) return rendering;
    // A Latin rendering (变压器 → Transformer) is set off from Han characters by a space, as the rest of the text
    // sets off model names.
    const before = han.test(whole.charAt(offset - 1)) ? ' ' : '';
    const after = han.test(whole.charAt(offset + found.length)) ? ' ' : '';
    return `${before}${rendering}${after}`;
  });
}

/** Shorthand for one text of one paper. */
export function normalizeGlossary(text: string, glossary: Glossary, english: string): string {
  return applyVariantRules(text, variantRulesFor(glossary, english));
}
