// The preview's pages, as strings: the list of stored batches, and one batch with every segment's mail side by side
// at phone and desktop width. Links between pages are relative, so the same files work served and written to disk.
import type { ISODate } from '../types.ts';
import { html, raw, type Html } from '../web/html.ts';
import type { PreviewIssue, PreviewSegment } from './build-preview.ts';

export interface BatchRow {
  batchDate: ISODate;
  papers: number;
  fetchedAt: string;
  /** Ledger of the issue: readers frozen, mails sent; null when no run prepared it. */
  ledger: { audience: number; sent: number } | null;
  /** The latest run of the batch: status and message. */
  lastRun: { status: string; message: string; startedAt: string } | null;
}

export const PHONE_WIDTH = 375;
export const DESKTOP_WIDTH = 800;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans CJK SC','PingFang SC',sans-serif;color:#1d2330;background:#f1f3f6}
header.top{background:#1d2330;color:#fff;padding:12px 24px}
header.top a{color:#cfe0ff}
main{padding:16px 24px 48px}
h1{font-size:22px;margin:0}
h2{font-size:18px;margin:0 0 4px}
table{border-collapse:collapse;background:#fff;width:100%;margin:12px 0}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e3e6eb;vertical-align:top}
th{font-size:13px;color:#5b6475;font-weight:600}
section.segment{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px;margin:20px 0}
.meta{color:#5b6475;font-size:13px}
.subject{font-weight:600;font-size:16px}
.bar{position:relative;height:14px;background:#e9ecf1;border-radius:7px;overflow:hidden;max-width:640px;margin:6px 0}
.bar .fill{position:absolute;left:0;top:0;bottom:0;background:#3a7bd5}
.bar .fill.over{background:#c0392b}
.bar .budget{position:absolute;top:0;bottom:0;width:2px;background:#1d2330}
.frames{display:flex;gap:20px;align-items:flex-start;overflow-x:auto;padding:8px 0}
figure{margin:0}
figcaption{font-size:13px;color:#5b6475;margin-bottom:4px}
iframe{border:1px solid #c9ced6;border-radius:6px;background:#fff;height:820px;display:block}
pre.text{white-space:pre-wrap;background:#f7f8fa;border:1px solid #e3e6eb;padding:12px;max-height:420px;overflow:auto;font-size:13px}
.ok{color:#1e7b34}
.bad{color:#b3261e;font-weight:600}
.warn{color:#8a5a00}
ul.checks{margin:6px 0;padding-left:20px}
.notes{background:#fff8e1;border:1px solid #f0dc9a;padding:8px 12px;border-radius:6px}
code{font-size:13px}
`;

function page(title: string, body: Html, back: string | null): string {
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · paperboy preview</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header class="top"><strong>paperboy preview</strong>${back ? html` · <a href="${back}">all batches</a>` : ''}</header>
<main>
${body}
</main>
</body>
</html>`.value
  }\n`;
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The file a segment's mail is served as, beside its batch page. */
export function mailFile(segmentId: string, part: 'html' | 'txt'): string {
  return `${segmentId}.${part}`;
}

export function indexPage(rows: readonly BatchRow[]): string {
  const body =
    rows.length === 0
      ? html`<h1>No stored batch yet</h1>
<p>A run stores its day: <code>paperboy run --date 2025-11-14 --feed test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml --dry-run</code> (a dry run sends nothing), then reload.</p>`
      : html`<h1>Stored batches</h1>
<table>
<thead><tr><th>batch</th><th>papers</th><th>collected</th><th>issue</th><th>last run</th></tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr>
<td><a href="${r.batchDate}/index.html">${r.batchDate}</a></td>
<td>${r.papers}</td>
<td class="meta">${r.fetchedAt.slice(0, 16).replace('T', ' ')} UTC</td>
<td>${r.ledger ? `${r.ledger.sent} of ${r.ledger.audience} sent` : html`<span class="meta">not prepared</span>`}</td>
<td>${r.lastRun ? html`${r.lastRun.status} <span class="meta">${r.lastRun.message}</span>` : html`<span class="meta">none</span>`}</td>
</tr>`,
)}
</tbody>
</table>`;
  return page('Stored batches', body, null);
}

function sizeBar(segment: PreviewSegment, issue: PreviewIssue): Html {
  const share = Math.min(1, segment.htmlBytes / issue.clipBytes);
  const budget = Math.min(1, issue.budgetBytes / issue.clipBytes);
  const over = segment.htmlBytes > issue.budgetBytes;
  const clipped = segment.htmlBytes > issue.clipBytes;
  const verdict = clipped
    ? html`<span class="bad">over Gmail's clip: readers see "[Message clipped]"</span>`
    : over
      ? html`<span class="warn">over the budget (render.maxHtmlBytes)</span>`
      : html`<span class="ok">${Math.round((1 - segment.htmlBytes / issue.clipBytes) * 100)}% below the clip</span>`;
  return html`<div class="bar" title="${segment.htmlBytes} of ${issue.clipBytes} bytes">
<div class="fill${over ? ' over' : ''}" style="width:${(share * 100).toFixed(1)}%"></div>
<div class="budget" style="left:${(budget * 100).toFixed(1)}%"></div>
</div>
<div class="meta">HTML ${kb(segment.htmlBytes)} (${segment.htmlBytes} bytes) of Gmail's ~${kb(issue.clipBytes)} clip, budget ${kb(issue.budgetBytes)} · text part ${kb(segment.textBytes)} · ${verdict}${
    segment.degraded > 0 ? html` · <span class="warn">${segment.degraded} papers shortened to fit</span>` : ''
  }</div>`;
}

function checks(segment: PreviewSegment): Html {
  const { links, compatibility, missingChinese, repeats } = segment;
  const chinese =
    segment.key.language === 'en'
      ? html`<li class="meta">Chinese: not shown to English readers</li>`
      : missingChinese.length === 0
        ? html`<li class="ok">Chinese: every paper has a Chinese title and summary</li>`
        : html`<li class="warn">Chinese missing for ${missingChinese.length} papers (they show 译文暂缺):
<ul>${missingChinese.map((m) => html`<li><code>${m.id}</code> ${m.title} <span class="meta">(no ${m.missing.join(', no ')})</span></li>`)}</ul></li>`;
  const linkLine =
    links.problems.length === 0
      ? html`<li class="ok">Links: ${links.checked} checked, all well-formed${links.warnings.length > 0 ? html` <span class="warn">(${links.warnings.length} plain http: ${links.warnings.slice(0, 3).map((w) => html`<code>${w.url}</code> `)})</span>` : ''}</li>`
      : html`<li class="bad">Links: ${links.problems.length} of ${links.checked} broken
<ul>${links.problems.map((p) => html`<li><code>${p.url}</code> (${p.part}): ${p.problem}</li>`)}</ul></li>`;
  const compat = compatibility.unavailable
    ? html`<li class="meta">Email clients: ${compatibility.unavailable}</li>`
    : compatibility.fresh.length === 0
      ? html`<li class="ok">Email clients: no new problem (${compatibility.known} known ones are in the baseline)</li>`
      : html`<li class="bad">Email clients: ${compatibility.fresh.length} new problems (not in the baseline${
          compatibility.known > 0 ? `; ${compatibility.known} known ones are` : ''
        })
<details${compatibility.fresh.length <= 8 ? raw(' open') : ''}><summary>which</summary><ul>${compatibility.fresh.map(
          (p) => html`<li><code>${p.feature}</code> is not supported by <code>${p.client}</code></li>`,
        )}</ul></details></li>`;
  const repeat =
    repeats.dropped.length + repeats.updated.length === 0
      ? ''
      : html`<li class="meta">Already mailed to these readers: ${repeats.dropped.length} papers left out${
          repeats.dropped.length > 0 ? html` (${repeats.dropped.map((id) => html`<code>${id}</code> `)})` : ''
        }${repeats.updated.length > 0 ? html`; ${repeats.updated.length} kept as updated versions` : ''}</li>`;
  return html`<ul class="checks">${chinese}${linkLine}${compat}${repeat}</ul>`;
}

function segmentSection(segment: PreviewSegment, issue: PreviewIssue): Html {
  const file = mailFile(segment.segmentId, 'html');
  const sandbox = 'allow-popups allow-popups-to-escape-sandbox';
  return html`<section class="segment" id="${segment.segmentId}">
<h2>${segment.segmentId}</h2>
<div class="meta">topics ${segment.key.topics.join(', ')} · ${segment.key.language} · ${segment.readers} readers · ${segment.papers} papers shown · ${
    segment.source === 'kept' ? 'the mail a run kept for this issue' : 'rendered now'
  } · <a href="${file}">open the mail</a> · <a href="${mailFile(segment.segmentId, 'txt')}">text part</a></div>
<p class="subject">${segment.subject}</p>
<p class="meta">Preheader: ${segment.preheader}</p>
${sizeBar(segment, issue)}
${checks(segment)}
<div class="frames">
<figure><figcaption>Phone, ${PHONE_WIDTH} px</figcaption><iframe title="${segment.segmentId} at phone width" src="${file}" width="${PHONE_WIDTH}" sandbox="${sandbox}" loading="lazy"></iframe></figure>
<figure><figcaption>Desktop, ${DESKTOP_WIDTH} px</figcaption><iframe title="${segment.segmentId} at desktop width" src="${file}" width="${DESKTOP_WIDTH}" sandbox="${sandbox}" loading="lazy"></iframe></figure>
</div>
<details><summary>Text part (${kb(segment.textBytes)})</summary><pre class="text">${segment.text}</pre></details>
</section>`;
}

export function issuePage(issue: PreviewIssue): string {
  const problems = (s: PreviewSegment) =>
    s.links.problems.length + s.compatibility.fresh.length + (s.htmlBytes > issue.budgetBytes ? 1 : 0);
  const body = html`<h1>Batch ${issue.batchDate}</h1>
<p class="meta">${issue.papers} papers in the batch · ${issue.segments.length} segments · audience ${
    issue.audience === 'frozen' ? 'frozen by a run' : 'the active readers now'
  } · per-reader links replaced by sample ones, everything else byte for byte what is sent</p>
${issue.notes.length > 0 ? html`<div class="notes">${issue.notes.map((n) => html`<div>${n}</div>`)}</div>` : ''}
<table>
<thead><tr><th>segment</th><th>readers</th><th>papers shown</th><th>HTML</th><th>no Chinese</th><th>problems</th><th>subject</th></tr></thead>
<tbody>
${issue.segments.map(
  (s) => html`<tr>
<td><a href="#${s.segmentId}">${s.segmentId}</a></td>
<td>${s.readers}</td>
<td>${s.papers}</td>
<td${s.htmlBytes > issue.budgetBytes ? raw(' class="bad"') : ''}>${kb(s.htmlBytes)}</td>
<td>${s.key.language === 'en' ? '–' : s.missingChinese.length}</td>
<td${problems(s) > 0 ? raw(' class="bad"') : raw(' class="ok"')}>${problems(s)}</td>
<td>${s.subject}</td>
</tr>`,
)}
</tbody>
</table>
${issue.segments.map((s) => segmentSection(s, issue))}`;
  return page(`Batch ${issue.batchDate}`, body, '../index.html');
}

export function missingBatchPage(batchDate: string): string {
  return page(
    `No batch ${batchDate}`,
    html`<h1>No stored batch ${batchDate}</h1>
<p>Nothing was collected for this date. Store it with a dry run (sends nothing):
<code>paperboy run --date ${batchDate} --dry-run</code> (add <code>--feed &lt;file&gt;</code> for a saved feed).</p>`,
    '../index.html',
  );
}
