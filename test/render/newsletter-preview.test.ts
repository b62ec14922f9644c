import { createElement } from 'react';
import { render } from 'react-email';
import { describe, expect, it } from 'vitest';
import NewsletterPreview, { Newsletter } from '../../emails/newsletter.tsx';
import { renderIssue } from '../../src/render/render-issue.ts';

// The "newsletter" entry of `npm run email:dev`: the preview server renders a file's default export with its
// PreviewProps through react-email's render (@react-email/ui, src/actions/render-email-by-path.tsx). It used to show
// MJML's raw React output: unstyled, with the dark-mode CSS as visible text.

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

describe('the newsletter preview entry', () => {
  const sample = NewsletterPreview.PreviewProps;

  it('renders, through react-email, the HTML that sending renders', async () => {
    const domains = sample.issue.sections.map((s) => s.domain);
    const mail = await renderIssue(sample.issue, sample.site, { domains });
    const preview = await render(createElement(NewsletterPreview, sample));

    expect(mail.degraded).toBe(0);
    expect(readDocument(preview)).toEqual(readDocument(mail.html));
    expect(preview).toContain(`<title>${mail.subject}</title>`);
    expect(readDocument(preview).head).toContain('@media (prefers-color-scheme: dark)');
    expect(readDocument(preview).content).not.toContain('prefers-color-scheme');
  });

  it('survives the preview server’s other renders: pretty-printed and plain text', async () => {
    const element = createElement(NewsletterPreview, sample);
    await expect(render(element, { pretty: true })).resolves.toContain('<style type="text/css">');
    const text = await render(element, { plainText: true });
    expect(text).toContain('ParoQuant');
    expect(text).not.toContain('prefers-color-scheme');
  });

  it('keeps the MJML template and its sample props as named exports', () => {
    expect(sample).toBe(Newsletter.PreviewProps);
  });
});
