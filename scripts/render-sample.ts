// Renders Newsletter.PreviewProps to emails/newsletter.sample.html (+ .txt) for react-email's preview of raw
// .html files. Run: npx tsx scripts/render-sample.ts
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Newsletter } from '../emails/newsletter.tsx';
import { renderIssue } from '../src/render/render-issue.ts';
import type { Domain } from '../src/types.ts';

const sample = Newsletter.PreviewProps;
const domains: Domain[] = sample.issue.sections.map((s) => s.domain);
const started = performance.now();
const mail = await renderIssue(sample.issue, sample.site, { domains });
const ms = performance.now() - started;

const htmlPath = fileURLToPath(new URL('../emails/newsletter.sample.html', import.meta.url));
await writeFile(htmlPath, mail.html);
await writeFile(htmlPath.replace(/\.html$/u, '.txt'), mail.text);
console.log(`${htmlPath}: ${mail.bytes} bytes in ${ms.toFixed(0)} ms`);
console.log(`subject: ${mail.subject}`);
console.log(`preheader: ${mail.preheader}`);
