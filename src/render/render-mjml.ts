import mjml2html from 'mjml';
import type { ReactElement } from 'react';
// @faire/mjml-react's renderToMjml is exactly this, but its CJS re-export is invisible to Node's ESM named imports.
import { renderToStaticMarkup } from 'react-dom/server';
import { RenderError } from '../errors.ts';
import { FONT_STACK } from './email-theme.ts';

const MJML_OPTIONS = {
  validationLevel: 'strict',
  keepComments: false,
  fonts: {},
  minify: true,
  // cssnano 7 is nested where htmlnano cannot load it: without this every render warns and skips CSS anyway.
  minifyOptions: { minifyCss: false },
} as const;

const FONT_STACK_ESCAPED = FONT_STACK.replaceAll("'", '&#x27;');

/**
 * A tree of @faire/mjml-react components → MJML → the mail's HTML: `compileMjml(renderMjmlMarkup(…))`. One path for
 * sending (renderIssue) and for react-email's preview of the newsletter, so the preview shows the HTML readers get.
 * `label` names the mail in errors.
 */
export function renderMjml(element: ReactElement, label: string): Promise<string> {
  return compileMjml(renderMjmlMarkup(element, label), label);
}

export function renderMjmlMarkup(element: ReactElement, label: string): string {
  let mjml: string;
  try {
    mjml = renderToStaticMarkup(element);
  } catch (error) {
    throw new RenderError(`newsletter template failed for ${label}: ${String(error)}`, { cause: error });
  }
  // React writes the font stack's quotes as &#x27;, and MJML copies that into every mj-text (~40 bytes each).
  return mjml.replaceAll(FONT_STACK_ESCAPED, FONT_STACK);
}

export async function compileMjml(mjml: string, label: string): Promise<string> {
  try {
    // mjml 5 is async: a synchronous `.html` read would silently be undefined.
    const result = await mjml2html(mjml, MJML_OPTIONS);
    if (result.errors.length > 0) {
      throw new Error(result.errors.map((e) => e.formattedMessage).join('; '));
    }
    return result.html;
  } catch (error) {
    const details = (error as { errors?: Array<{ formattedMessage?: string }> }).errors
      ?.map((e) => e.formattedMessage)
      .join('; ');
    throw new RenderError(`invalid MJML for ${label}: ${details ?? String(error)}`, { cause: error });
  }
}
