import { describe, expect, it, vi } from 'vitest';
import { Newsletter } from '../../emails/newsletter.tsx';
import { RenderError } from '../../src/errors.ts';
import { renderIssue } from '../../src/render/render-issue.ts';

// mjml 5 rejects with a ValidationError carrying `.errors` under validationLevel: 'strict'.
vi.mock('mjml', () => ({
  default: vi.fn(async () => {
    const error = Object.assign(new Error('ValidationError'), {
      errors: [{ formattedMessage: 'Line 3 of mj-text: Attribute lang is illegal' }],
    });
    throw error;
  }),
}));

describe('renderIssue with a failing MJML compiler', () => {
  it('throws RenderError naming the segment and the MJML message, with the cause kept', async () => {
    const { issue, site } = Newsletter.PreviewProps;
    const domains = issue.sections.map((s) => s.domain);
    const error = await renderIssue(issue, site, { domains }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect((error as RenderError).message).toContain('bilingual.agents+llm');
    expect((error as RenderError).message).toContain('Attribute lang is illegal');
    expect((error as RenderError).cause).toBeInstanceOf(Error);
  });
});
