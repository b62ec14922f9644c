import type { CSSProperties } from 'react';

/**
 * A finished HTML document (the newsletter after MJML) as React output. react-email's preview server can only
 * render React, and React has no node for "this document, verbatim": the contents of <head> and <body> pass through
 * untouched, and the attributes of <html> and <body> become props.
 */
export function HtmlDocument({ html }: { html: string }) {
  const { htmlAttributes, head, bodyAttributes, body } = splitDocument(html);
  return (
    <html {...htmlAttributes}>
      <head dangerouslySetInnerHTML={{ __html: head }} />
      <body {...bodyAttributes} dangerouslySetInnerHTML={{ __html: body }} />
    </html>
  );
}

type Props = Record<string, string | CSSProperties>;

function splitDocument(html: string): { htmlAttributes: Props; head: string; bodyAttributes: Props; body: string } {
  const htmlTag = /<html\b([^>]*)>/i.exec(html);
  const headStart = html.indexOf('<head>');
  const headEnd = html.indexOf('</head>');
  const bodyTag = /<body\b([^>]*)>/i.exec(html);
  const bodyEnd = html.lastIndexOf('</body>');
  if (!htmlTag || headStart < 0 || headEnd < headStart || !bodyTag || bodyEnd < bodyTag.index) {
    throw new Error('not a complete HTML document (<html>, <head>, <body>)');
  }
  return {
    htmlAttributes: parseAttributes(htmlTag[1] ?? ''),
    head: html.slice(headStart + '<head>'.length, headEnd),
    bodyAttributes: parseAttributes(bodyTag[1] ?? ''),
    body: html.slice(bodyTag.index + bodyTag[0].length, bodyEnd),
  };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&lt;': '<', '&gt;': '>' };

/** `name="value"` pairs as React props: React escapes values again, takes `className`, and wants `style` as an object. */
function parseAttributes(source: string): Props {
  const props: Props = {};
  for (const [, name = '', raw = ''] of source.matchAll(/([^\s=]+)="([^"]*)"/g)) {
    const value = raw.replace(/&(?:amp|quot|#39|#x27|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
    if (name === 'style') props.style = parseStyle(value);
    else props[name === 'class' ? 'className' : name] = value;
  }
  return props;
}

function parseStyle(css: string): CSSProperties {
  const style: Record<string, string> = {};
  for (const declaration of css.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const property = declaration.slice(0, colon).trim();
    // React writes camelCase back as kebab-case (WebkitX → -webkit-x); custom properties stay as they are.
    const key = property.startsWith('--') ? property : property.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    style[key] = declaration.slice(colon + 1).trim();
  }
  return style;
}
