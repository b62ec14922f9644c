import type { Domain, NewsletterSite } from '../types.ts';

// How a segment's mail is rendered: shared by the HTML (render-issue.ts) and the text part (render-text.ts), so
// neither imports the other for it.

export interface RenderOptions {
  /** All configured domains, for the names in "also in" tags. */
  domains: Domain[];
  /** Abstract excerpt budgets in display columns (Han = 2), whole sentences only. Default en 360, zh 240. */
  summaryWidth?: { en: number; zh: number };
  /** Authors named before "et al.". Default 4. */
  maxAuthors?: number;
  /** Gmail clips past ~102 KB; stay well below. Default 90 000. */
  maxHtmlBytes?: number;
}

/** Everything rendering takes besides the issue: the sender's facts and the options above (narrowed from the config by the wiring). */
export interface RenderSettings {
  site: NewsletterSite;
  options: RenderOptions;
}
