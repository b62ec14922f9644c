import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { createElement as CreateElement } from 'react';
import type { render as Render } from 'react-email';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import NewsletterPreview, { Newsletter } from '../../emails/newsletter.tsx';
import emailDevPlugins from '../../scripts/email-dev-plugins.ts';
import { renderIssue } from '../../src/render/render-issue.ts';

// The "newsletter" entry of `npm run email:dev`. It used to show MJML's raw React output: unstyled, with the dark-mode
// CSS as visible text. @react-email/ui is not installed in CI (scripts/email-dev.ts), so this does what its preview
// server does (6.11.6, utils/get-email-component.ts and actions/render-email-by-path.tsx) without it: esbuild bundles
// the file with our --esbuild-plugins and a JSX runtime that adds data-source-file/-line to every element during a
// first "with references" render; react-email's render from that bundle renders the default export with its
// PreviewProps. The difference: the server runs an ESM bundle in a node:vm module, here Node requires a CommonJS one
// (Vitest would transform an imported one).

const ROOT = resolve(import.meta.dirname, '../..');

const RUNTIME = `
import runtime from 'react/jsx-dev-runtime';
export const Fragment = runtime.Fragment;
export function jsxDEV(type, props, key, isStaticChildren, source, self) {
  const marked = source && globalThis.shouldIncludeSourceReference && type !== Fragment
    ? { ...props, 'data-source-file': source.fileName, 'data-source-line': source.lineNumber }
    : props;
  return runtime.jsxDEV(type, marked, key, isStaticChildren, source, self);
}`;

interface PreviewBundle {
  default: typeof NewsletterPreview;
  render: typeof Render;
  createElement: typeof CreateElement;
}

async function bundleLikePreviewServer(entry: string, outdir: string): Promise<PreviewBundle> {
  const outfile = join(outdir, 'email.cjs');
  await build({
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
    jsx: 'automatic',
    jsxDev: true,
    jsxImportSource: 'preview-runtime',
    stdin: {
      contents: `export { default } from ${JSON.stringify(entry)};
        export { render } from 'react-email';
        export { createElement } from 'react';`,
      resolveDir: ROOT,
      loader: 'js',
    },
    plugins: [
      {
        name: 'preview-runtime',
        setup(b) {
          b.onResolve({ filter: /^preview-runtime\// }, (args) => ({ path: args.path, namespace: 'preview-runtime' }));
          b.onLoad({ filter: /.*/, namespace: 'preview-runtime' }, () => ({ contents: RUNTIME, resolveDir: ROOT }));
        },
      },
      ...emailDevPlugins,
    ],
  });
  // The vm has no hook for import() of a computed name: anything that loads modules that way must stay out of the
  // bundle (scripts/email-dev-plugins.ts does that for MJML).
  expect(readFileSync(outfile, 'utf8')).not.toMatch(/\bimport\(\s*[\w$]/);
  return createRequire(import.meta.url)(outfile) as PreviewBundle;
}

/** What a browser reads of a document: the <html> and <body> attributes, and the contents of <head> and <body>. */
function readDocument(html: string) {
  const attributes = (tag: string) =>
    Object.fromEntries(
      [...(new RegExp(`<${tag}\\b([^>]*)>`).exec(html)?.[1] ?? '').matchAll(/([^\s=]+)="([^"]*)"/g)].map(
        ([, name, value]) => [name, name === 'style' ? value?.replace(/;$/, '') : value],
      ),
    );
  return {
    html: attributes('html'),
    body: attributes('body'),
    head: html.slice(html.indexOf('<head>') + 6, html.indexOf('</head>')),
    // React closes its Suspense boundary (<!--$-->…<!--/$-->) inside <body>: comments, nothing a client shows.
    content: html
      .slice(html.indexOf('>', html.indexOf('<body')) + 1, html.lastIndexOf('</body>'))
      .replace(/<!--\/?\$-->|<!--(?:html|head|body)-->/g, ''),
  };
}

describe('the newsletter preview entry, rendered the way the preview server renders it', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'paperboy-preview-'));
  let bundle: PreviewBundle;

  beforeAll(async () => {
    bundle = await bundleLikePreviewServer(join(ROOT, 'emails/newsletter.tsx'), outdir);
  }, 120_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('is the HTML that sending renders, in each of the preview server’s renders', async () => {
    const { default: Preview, render, createElement } = bundle;
    const sample = Preview.PreviewProps;
    const mail = await renderIssue(sample.issue, sample.site, { domains: sample.issue.sections.map((s) => s.domain) });
    expect(mail.degraded).toBe(0);

    const element = createElement(Preview, sample);
    const global = globalThis as { shouldIncludeSourceReference?: boolean };
    global.shouldIncludeSourceReference = true;
    const withReferences = await render(element, { pretty: true }).finally(() => {
      global.shouldIncludeSourceReference = false;
    });
    const markup = await render(element);
    const text = await render(element, { plainText: true });

    expect(withReferences).toContain('.mj-column-per-100');
    expect(readDocument(markup)).toEqual(readDocument(mail.html));
    expect(markup).toContain(`<title>${mail.subject}</title>`);
    expect(readDocument(markup).head).toContain('@media (prefers-color-scheme: dark)');
    expect(readDocument(markup).content).not.toContain('prefers-color-scheme');
    expect(text).toContain('ParoQuant');
    expect(text).not.toContain('prefers-color-scheme');
  });

  it('keeps the MJML template and its sample props as the named exports sending uses', () => {
    expect(NewsletterPreview.PreviewProps).toBe(Newsletter.PreviewProps);
    expect(bundle.default.PreviewProps.issue.segmentId).toBe(Newsletter.PreviewProps.issue.segmentId);
  });
});
