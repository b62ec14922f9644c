// Every link of a mail, checked before it goes out: well-formed, absolute, a scheme a mail client opens, no
// placeholder left unfilled, and every in-mail anchor (#p7) pointing at a target that exists. Pure.

export interface LinkProblem {
  url: string;
  part: 'html' | 'text';
  problem: string;
}

export interface LinkReport {
  /** Distinct links looked at, HTML and text together. */
  checked: number;
  problems: LinkProblem[];
  /** Links that work but deserve a look (plain http). */
  warnings: LinkProblem[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

function decodeAttribute(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, name: string) => ENTITIES[name] ?? '');
}

/** href values of `<a>` and `<area>` (and `<link>`), decoded as a browser would. */
export function htmlLinks(html: string): string[] {
  return [...html.matchAll(/<(?:a|area|link)\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map((m) =>
    decodeAttribute(m[1] ?? m[2] ?? m[3] ?? ''),
  );
}

/** Anchor targets: `<a name="…">` (what Gmail and Outlook honour) and `id="…"`. */
function anchorTargets(html: string): Set<string> {
  const names = [...html.matchAll(/\s(?:name|id)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) => decodeAttribute(m[1] ?? m[2] ?? ''));
  return new Set(names);
}

/** URLs in a plain-text part: http(s) up to whitespace or a closing bracket, trailing punctuation trimmed. */
export function textLinks(text: string): string[] {
  return [...text.matchAll(/\b(?:https?|mailto):[^\s<>()[\]"]+/gi)].map((m) => m[0].replace(/[.,;:!?'’。，；：！？）]+$/u, ''));
}

const PLACEHOLDER = /__PB_[A-Z_]+__/;

function checkOne(url: string, part: LinkProblem['part'], anchors: Set<string> | null): { problem?: string; warning?: string } {
  if (url.trim() === '') return { problem: 'empty link' };
  if (PLACEHOLDER.test(url)) return { problem: 'a per-reader placeholder is left in the link' };
  if (/\s/.test(url)) return { problem: 'contains white space' };
  if (url.startsWith('#')) {
    if (anchors === null) return { problem: 'an in-mail anchor in the text part' };
    return anchors.has(decodeURIComponent(url.slice(1))) ? {} : { problem: `no anchor named "${url.slice(1)}" in the mail` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: 'not an absolute URL' };
  }
  if (parsed.protocol === 'mailto:') return parsed.pathname.includes('@') ? {} : { problem: 'mailto without an address' };
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { problem: `scheme ${parsed.protocol} is not a web or mail link` };
  if (!parsed.hostname || !parsed.hostname.includes('.') && parsed.hostname !== 'localhost') {
    return { problem: `host "${parsed.hostname}" is not a public host name` };
  }
  if (/\b(undefined|null|NaN)\b/.test(parsed.pathname + parsed.search)) return { problem: 'contains undefined/null/NaN' };
  if (parsed.protocol === 'http:') return { warning: 'plain http: use https before going live' };
  return {};
}

export function checkLinks(mail: { html: string; text: string }): LinkReport {
  const anchors = anchorTargets(mail.html);
  const seen = new Set<string>();
  const report: LinkReport = { checked: 0, problems: [], warnings: [] };
  const visit = (url: string, part: LinkProblem['part']) => {
    const key = `${part} ${url}`;
    if (seen.has(key)) return;
    seen.add(key);
    report.checked += 1;
    const verdict = checkOne(url, part, part === 'html' ? anchors : null);
    if (verdict.problem) report.problems.push({ url, part, problem: verdict.problem });
    else if (verdict.warning) report.warnings.push({ url, part, problem: verdict.warning });
  };
  for (const url of htmlLinks(mail.html)) visit(url, 'html');
  for (const url of textLinks(mail.text)) visit(url, 'text');
  // A placeholder outside any link (the "sent to" line) is as wrong as one inside.
  for (const [part, body] of [['html', mail.html], ['text', mail.text]] as const) {
    const left = PLACEHOLDER.exec(body);
    if (left && !report.problems.some((p) => p.part === part && p.url.includes(left[0]))) {
      report.problems.push({ url: left[0], part, problem: 'a per-reader placeholder is left in the mail' });
    }
  }
  return report;
}
