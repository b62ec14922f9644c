import {
  Mjml,
  MjmlAll,
  MjmlAttributes,
  MjmlBody,
  MjmlColumn,
  MjmlHead,
  MjmlPreview,
  MjmlRaw,
  MjmlSection,
  MjmlStyle,
  MjmlText,
  MjmlTitle,
} from '@faire/mjml-react';
import { type ReactNode, use } from 'react';
import { DEFAULT_DOMAINS } from '../src/config/default-domains.ts';
import { COLORS, DARK, FONT_STACK } from '../src/render/email-theme.ts';
import { issueDateLine } from '../src/render/issue-copy.ts';
import {
  DEFAULT_MAX_AUTHORS,
  DEFAULT_SUMMARY_WIDTH,
  READER_PLACEHOLDERS,
  UI,
  buildPreheader,
  buildSubject,
  colon,
  issueUrl,
  paperUrl,
  moreLine,
  papersLine,
  sectionCount,
  emptySectionLine,
  sectionUrl,
  subscribedLine,
  cleanText,
  titleZh,
} from '../src/render/issue-copy.ts';
import { listedIn, unlistedIn } from '../src/render/paper-counts.ts';
import { compileMjml, renderMjmlMarkup } from '../src/render/render-mjml.ts';
import type {
  Domain,
  IssueEntry,
  IssueSection,
  Language,
  LocalizedText,
  NewsletterSite,
  Paper,
  SegmentIssue,
} from '../src/types.ts';
import { HtmlDocument } from './components/html-document.tsx';
import { PaperEntry } from './components/paper-entry.tsx';

export interface NewsletterProps {
  issue: SegmentIssue;
  site: NewsletterSite;
  /** Names of every configured domain, for "also in" tags (an unknown id is shown as is). */
  domainNames: Readonly<Record<string, LocalizedText>>;
  /** Per-reader values; the segment render uses READER_PLACEHOLDERS and fills them in per delivery. */
  reader?: { unsubscribeUrl: string; preferencesUrl: string; email: string };
  /** Summary budgets in display columns (Han = 2). */
  summaryWidth?: { en: number; zh: number };
  maxAuthors?: number;
  /** Paper ids shown as title + links only, because the mail would not fit the size budget otherwise. */
  titleOnly?: readonly string[];
}

// Invisible characters after the preheader keep clients from pulling body text into the inbox preview.
// Literal U+034F U+200C U+00A0 rather than entities: 7 bytes a group instead of 18, and no raw HTML needed.
const PREHEADER_FILLER = '\u034f\u200c\u00a0'.repeat(70);

const COLOR_SCHEME_META =
  '<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">';

const DARK_CSS = `
@media (prefers-color-scheme: dark) {
  .pb-body, .pb-body > div { background: ${DARK.page} !important; }
  .pb-card, .pb-card > table, .pb-card td { background: ${DARK.card} !important; }
  .pb-t div { color: ${DARK.text} !important; border-color: ${DARK.rule} !important; }
  .pb-t .m { color: ${DARK.muted} !important; }
  .pb-t a { color: ${DARK.link} !important; }
  .pb-t .bd { background: transparent !important; color: #f0b35a !important; }
}
.pb-t a { color: ${COLORS.link}; }
/* Tap targets of at least 44 px on a phone (link rows, footer links, contents). */
@media (max-width: 480px) {
  .pb-t .lk a, .pb-t a.tap { display: inline-block; min-height: 44px; line-height: 44px; padding: 0 6px; }
  .pb-t .lk, .pb-t .tr { margin-left: -6px; }
  .pb-t .lk { font-size: 14px !important; }
  .pb-t .toc { padding: 6px 0; }
  .pb-t .cl a { display: inline-block; padding: 6px 0; }
}
`;

function Say({ text, language, sep = ' / ' }: { text: LocalizedText; language: Language; sep?: string }) {
  if (language === 'en') return <>{text.en}</>;
  if (language === 'zh') return <span lang="zh-CN">{text.zh}</span>;
  return (
    <>
      {text.en}
      {sep}
      <span lang="zh-CN">{text.zh}</span>
    </>
  );
}

function domainLabel(domain: Domain, language: Language): ReactNode {
  if (language === 'en') return domain.name.en;
  if (language === 'zh') return <span lang="zh-CN">{domain.name.zh}</span>;
  return (
    <>
      <span lang="zh-CN">{domain.name.zh}</span> {domain.name.en}
    </>
  );
}

/** Keeps a short phrase on one line: "Unsubscribe / 退订" must not break before 退订. */
function NoWrap({ children }: { children: ReactNode }) {
  return <span style={{ whiteSpace: 'nowrap' }}>{children}</span>;
}

/**
 * The masthead: name and tagline, the date (one line per language, so no separator can dangle at a wrap), the
 * day's counts as a one-line intro, and the contents. Header and contents share one mj-text: each mj-section /
 * mj-text costs wrapper tables (size budget).
 */
export function MastheadContent({ issue, site }: Pick<NewsletterProps, 'issue' | 'site'>) {
  const { language } = issue.key;
  return (
    <MastheadFrame language={language} site={site} dateLine={issueDateLine(issue)} weekly={issue.week !== undefined} browserUrl={issueUrl(site, issue)} count={papersLine(issue)}>
      {issue.sections.map((s) => (
        <ContentsLine key={s.domain.id} section={s} language={language} />
      ))}
    </MastheadFrame>
  );
}

/** The masthead around the reader's counts and contents: the same for every mail of a language and day. */
export function MastheadFrame(props: {
  language: Language;
  site: NewsletterSite;
  /** The day's date, or the week's dates of a weekly digest. */
  dateLine: LocalizedText;
  weekly: boolean;
  browserUrl: string;
  count: LocalizedText;
  children: ReactNode;
}) {
  const { language, site, count } = props;
  const date = props.dateLine;
  const muted = { fontSize: '12px', color: COLORS.muted } as const;
  return (
    <>
          <div className="m" style={{ ...muted, textAlign: 'right' }}>
            <a className="tap" href={props.browserUrl}>
              <NoWrap>
                <Say text={UI.viewInBrowser} language={language} />
              </NoWrap>
            </a>
          </div>
          <div style={{ borderBottom: `3px solid ${COLORS.accent}`, paddingBottom: '10px' }}>
            <div style={{ fontSize: '24px', lineHeight: '1.25', fontWeight: 'bold', color: COLORS.accent }}>{site.name}</div>
            {/* The site name is the reader's English masthead; Chinese readers also get what it is in Chinese. */}
            {language !== 'en' && (
              <div className="m" lang="zh-CN" style={{ ...muted, fontSize: '13px' }}>
                {props.weekly ? UI.taglineWeekly.zh : UI.tagline.zh}
              </div>
            )}
          </div>
          <div style={{ fontSize: '15px', fontWeight: 'bold', marginTop: '10px' }}>
            {language !== 'zh' && <div>{date.en}</div>}
            {language !== 'en' && (
              // The weekday must not wrap away from its date ("2025年11月14日 星\n期五").
              <div lang="zh-CN" style={{ whiteSpace: 'nowrap' }}>
                {date.zh}
              </div>
            )}
          </div>
          <div style={{ marginTop: '6px' }}>
            {language !== 'zh' && <div>{count.en}</div>}
            {language !== 'en' && <div lang="zh-CN">{count.zh}</div>}
          </div>
          <div className="m" style={{ ...muted, marginTop: '14px', textTransform: 'uppercase' }}>
            <Say text={UI.contents} language={language} />
          </div>
          {props.children}
    </>
  );
}

/** One topic in the masthead's contents, with its count of matching papers. */
export function ContentsLine({ section, language }: { section: IssueSection; language: Language }) {
  return (
    <div className="toc">
      <a href={`#d-${section.domain.id}`}>{domainLabel(section.domain, language)}</a>{' '}
      {/* In parentheses, not after a "·" that could be left at a line's end or start. */}
      <NoWrap>
        <span className="m" style={{ color: COLORS.muted }}>
          (<Say text={sectionCount(section)} language={language} />)
        </span>
      </NoWrap>
    </div>
  );
}

interface SectionProps extends Required<Pick<NewsletterProps, 'summaryWidth' | 'maxAuthors'>> {
  section: IssueSection;
  /** Its place in `issue.sections`, for what an empty section says about the topics above and below it. */
  index: number;
  issue: SegmentIssue;
  site: NewsletterSite;
  domainNames: NewsletterProps['domainNames'];
  titleOnly: ReadonlySet<string>;
}

export function DomainHeading({ domain, language }: { domain: Domain; language: Language }) {
  return (
    <>
      {/* An empty <a name> target, not id: the only anchor form Outlook desktop and Gmail follow. React's types
          dropped `name` on <a> as obsolete HTML, hence the spread. */}
      <a {...({ name: `d-${domain.id}` } as Record<string, string>)}></a>
      <div
        style={{ fontSize: '19px', fontWeight: 'bold', borderBottom: `2px solid ${COLORS.accent}`, paddingBottom: '4px' }}
      >
        {domainLabel(domain, language)}
      </div>
    </>
  );
}

/**
 * The topic's matching papers after its entries, one line each: the title in the reader's language(s), linked to
 * the abs page (issue 12, part 3). Bare markup on purpose: a line costs ~150–250 bytes of the size budget.
 */
function CompactList({ section, language }: { section: IssueSection; language: Language }) {
  const listed = (section.listed ?? []).slice(0, listedIn(section));
  if (listed.length === 0) return null;
  return (
    <CompactListFrame language={language}>
      {listed.map((entry) => (
        <CompactLine key={entry.paper.id} entry={entry} language={language} />
      ))}
    </CompactListFrame>
  );
}

/** The compact list's rule and label, around its lines. */
export function CompactListFrame({ language, children }: { language: Language; children: ReactNode }) {
  return (
    <div className="cl" style={{ borderTop: `1px solid ${COLORS.rule}`, paddingTop: '10px', marginTop: '12px' }}>
      <div className="m" style={{ fontSize: '12px', color: COLORS.muted }}>
        <Say text={UI.moreInTopic} language={language} sep=" · " />
      </div>
      {children}
    </div>
  );
}

/** One paper of the compact list: its title in the reader's language(s), linked. */
export function CompactLine({ entry, language }: { entry: IssueEntry; language: Language }) {
  const en = cleanText(entry.paper.title);
  const zh = language === 'en' ? null : titleZh(entry);
  return (
    <div style={{ paddingTop: '6px' }}>
      <a href={entry.paper.links.abs} lang={language === 'zh' && zh ? 'zh-CN' : undefined}>
        {language === 'zh' ? (zh ?? en) : en}
      </a>
      {language === 'bilingual' && zh && (
        <>
          <br />
          <span lang="zh-CN">{zh}</span>
        </>
      )}
    </div>
  );
}

export function MoreLink({ section, issue, site }: Pick<SectionProps, 'section' | 'issue' | 'site'>) {
  return (
    <div style={{ borderTop: `1px solid ${COLORS.rule}`, paddingTop: '10px', marginTop: '12px', fontWeight: 'bold' }}>
      <a href={sectionUrl(site, issue, section.domain.id)}>
        <Say text={moreLine(unlistedIn(section), section.domain)} language={issue.key.language} />
      </a>
    </div>
  );
}

/** What a section that lists no paper says instead (see emptySectionLine). */
export function EmptySection({ issue, index }: { issue: SegmentIssue; index: number }) {
  return (
    <div className="m" style={{ color: COLORS.muted, paddingTop: '10px' }}>
      <Say text={emptySectionLine(issue, index)} language={issue.key.language} />
    </div>
  );
}

/**
 * One mj-section and one mj-text per domain, holding the heading, the entries, the title-only list and "and N more":
 * every extra mj-text repeats a table row and the font stack (~330 bytes a paper, size budget).
 */
function SectionContent(props: SectionProps) {
  const { section, issue, site } = props;
  const { language } = issue.key;
  const { domain, entries } = section;
  return (
    <>
          <DomainHeading domain={domain} language={language} />
          {entries.length === 0 && section.more === 0 && <EmptySection issue={issue} index={props.index} />}
          {entries.map((entry, i) => (
            <PaperEntry
              key={entry.paper.id}
              entry={entry}
              language={language}
              domainNames={props.domainNames}
              summaryWidth={props.summaryWidth}
              maxAuthors={props.maxAuthors}
              titleOnly={props.titleOnly.has(entry.paper.id)}
              first={i === 0}
              detailsUrl={paperUrl(site, entry.paper.id)}
            />
          ))}
          <CompactList section={section} language={language} />
          {unlistedIn(section) > 0 && <MoreLink section={section} issue={issue} site={site} />}
    </>
  );
}

type FooterProps = Pick<NewsletterProps, 'issue' | 'site'> & { reader: NonNullable<NewsletterProps['reader']> };

/** Why the reader gets this, how to change or stop it, and the sender's postal address (required for bulk mail). */
export function FooterContent({ issue, site, reader }: FooterProps) {
  const { language } = issue.key;
  const subscribed = subscribedLine(issue);
  const muted = { fontSize: '12px', color: COLORS.muted, marginTop: '6px' } as const;
  return (
    <>
          <div className="m" style={muted}>
            {language !== 'zh' && subscribed.en}
            {language === 'bilingual' && <br />}
            {language !== 'en' && <span lang="zh-CN">{subscribed.zh}</span>}
          </div>
          <div className="m" style={muted}>
            <a className="tap" href={reader.preferencesUrl}>
              <NoWrap>
                <Say text={UI.preferences} language={language} />
              </NoWrap>
            </a>{' '}
            <a className="tap" href={reader.unsubscribeUrl}>
              <NoWrap>
                <Say text={UI.unsubscribe} language={language} />
              </NoWrap>
            </a>
          </div>
          {/* Readers with several addresses need to see which one to unsubscribe (karpathy/arxiv-sanity-lite#4). */}
          <div className="m" style={muted}>
            <Say text={UI.sentTo} language={language} />
            {colon(language)}
            {reader.email}
          </div>
          <div className="m" style={muted}>
            {site.name} · {site.postalAddress}
          </div>
    </>
  );
}

export interface NewsletterFrameProps {
  subject: string;
  preheader: string;
  /** The contents of the masthead's, each section's and the footer's one mj-text. */
  masthead: ReactNode;
  sections: ReadonlyArray<{ key: string; content: ReactNode }>;
  footer: ReactNode;
}

/**
 * The mail around its contents: head, styles, and one mj-section with one mj-text for the masthead, each section
 * and the footer. Apart from the subject and preheader it is the same for every mail, which is what lets
 * assemble-mail.ts compile it once and splice each reader's contents in (issue 12, part 6).
 */
export function NewsletterFrame(props: NewsletterFrameProps) {
  return (
    <Mjml lang="en">
      <MjmlHead>
        <MjmlTitle>{props.subject}</MjmlTitle>
        <MjmlPreview>{props.preheader + PREHEADER_FILLER}</MjmlPreview>
        <MjmlAttributes>
          <MjmlAll fontFamily={FONT_STACK} />
          <MjmlText fontSize="14px" lineHeight="1.55" color={COLORS.text} padding="0px 24px" />
          <MjmlSection padding="0px" />
          <MjmlColumn padding="0px" />
        </MjmlAttributes>
        {/* Raw constant markup (no paper data): React 19 hoists JSX <meta> out of the tree, and would escape
            the `>` of CSS selectors. */}
        <MjmlRaw dangerouslySetInnerHTML={{ __html: COLOR_SCHEME_META }} />
        <MjmlStyle dangerouslySetInnerHTML={{ __html: DARK_CSS }} />
      </MjmlHead>
      <MjmlBody width="600px" backgroundColor={COLORS.page} cssClass="pb-body">
        <MjmlSection cssClass="pb-card" backgroundColor={COLORS.card}>
          <MjmlColumn>
            <MjmlText cssClass="pb-t" paddingTop="16px" paddingBottom="12px">
              {props.masthead}
            </MjmlText>
          </MjmlColumn>
        </MjmlSection>
        {props.sections.map(({ key, content }) => (
          <MjmlSection key={key} cssClass="pb-card" backgroundColor={COLORS.card} paddingTop="16px" paddingBottom="12px">
            <MjmlColumn>
              <MjmlText cssClass="pb-t">{content}</MjmlText>
            </MjmlColumn>
          </MjmlSection>
        ))}
        <MjmlSection paddingTop="16px" paddingBottom="24px">
          <MjmlColumn>
            <MjmlText cssClass="pb-t" align="center">
              {props.footer}
            </MjmlText>
          </MjmlColumn>
        </MjmlSection>
      </MjmlBody>
    </Mjml>
  );
}

export function Newsletter(props: NewsletterProps) {
  const { issue, site } = props;
  const reader = props.reader ?? READER_PLACEHOLDERS;
  const titleOnly = new Set(props.titleOnly ?? []);
  return (
    <NewsletterFrame
      subject={buildSubject(issue)}
      preheader={buildPreheader(issue)}
      masthead={<MastheadContent issue={issue} site={site} />}
      sections={issue.sections.map((section, index) => ({
        key: section.domain.id,
        content: (
          <SectionContent
            section={section}
            index={index}
            issue={issue}
            site={site}
            domainNames={props.domainNames}
            summaryWidth={props.summaryWidth ?? DEFAULT_SUMMARY_WIDTH}
            maxAuthors={props.maxAuthors ?? DEFAULT_MAX_AUTHORS}
            titleOnly={titleOnly}
          />
        ),
      }))}
      footer={<FooterContent issue={issue} site={site} reader={reader} />}
    />
  );
}

// ---- Preview sample: 14 November 2025, two topics, three real papers, one not yet translated. ----

function arxivLinks(id: string, version: number): Paper['links'] {
  return {
    abs: `https://arxiv.org/abs/${id}`,
    pdf: `https://arxiv.org/pdf/${id}v${version}`,
    html: `https://arxiv.org/html/${id}v${version}`,
    papersCool: `https://papers.cool/arxiv/${id}`,
  };
}

// The sample issue uses the real default topics, so the preview shows what readers see.
const SAMPLE_LLM = DEFAULT_DOMAINS.find((d) => d.id === 'llm') as Domain;
const SAMPLE_AGENTS = DEFAULT_DOMAINS.find((d) => d.id === 'agents') as Domain;

Newsletter.PreviewProps = {
  issue: {
    segmentId: 'bilingual.agents+llm',
    key: { topics: ['llm', 'agents'], language: 'bilingual' },
    batchDate: '2025-11-14',
    sections: [
      {
        domain: SAMPLE_LLM,
        more: 4,
        // Every paper of the topic is in this mail: 2 here, 4 behind "and 4 more" (the counts agree, as in a real issue).
        total: 6,
        entries: [
          {
            paper: {
              id: '2511.10645',
              version: 1,
              title: 'ParoQuant: Pairwise Rotation Quantization for Efficient Reasoning LLM Inference',
              abstract:
                'Weight-only post-training quantization (PTQ) compresses the weights of Large Language Models (LLMs) into low-precision representations to reduce memory footprint and accelerate inference. However, the presence of outliers in weights and activations often leads to large quantization errors and severe accuracy degradation, especially in recent reasoning LLMs where errors accumulate across long chains of thought. Existing PTQ methods either fail to sufficiently suppress outliers or introduce significant overhead during inference. In this paper, we propose Pairwise Rotation Quantization (ParoQuant), a weight-only PTQ method that combines hardware-efficient and optimizable independent Givens rotations with channel-wise scaling to even out the magnitude across channels and narrow the dynamic range within each quantization group.',
              authors: [
                { name: 'Yesheng Liang', affiliations: [] },
                { name: 'Haisheng Chen', affiliations: [] },
                { name: 'Song Han', affiliations: ['MIT'] },
                { name: 'Zhijian Liu', affiliations: [] },
              ],
              categories: ['cs.CL'],
              announceType: 'new',
              links: arxivLinks('2511.10645', 1),
            },
            chinese: {
              titleZh: 'ParoQuant：面向高效推理大语言模型的成对旋转量化',
              abstractZh:
                '仅权重的训练后量化(PTQ)将大型语言模型(LLMs)的权重压缩为低精度表示,以减少内存占用并加速推理。然而,权重和激活中的异常值通常会导致较大的量化误差和严重的准确率下降,尤其是在最近的推理型LLM中,误差会在长链的思维过程中累积。我们提出了成对旋转量化(ParoQuant),结合可优化的独立Givens旋转与通道尺度调整。',
              tldrEn: 'Givens rotations plus channel scaling make 4-bit weights work for reasoning LLMs at <10% overhead.',
              tldrZh: '用 Givens 旋转加通道缩放实现推理模型 4 比特量化，开销低于 10%。',
            },
            alsoIn: [],
          },
          {
            paper: {
              id: '2511.10643',
              version: 1,
              title: 'Black-Box On-Policy Distillation of Large Language Models',
              abstract:
                'Black-box distillation creates student large language models (LLMs) by learning from a proprietary teacher model’s text outputs alone, without access to its internal logits or parameters. In this work, we introduce Generative Adversarial Distillation (GAD), which enables on-policy and black-box distillation. GAD frames the student LLM as a generator and trains a discriminator to distinguish its responses from the teacher LLM’s, creating a minimax game.',
              authors: [
                { name: 'Tianzhu Ye', affiliations: [] },
                { name: 'Li Dong', affiliations: ['Microsoft Research'] },
                { name: 'Zewen Chi', affiliations: [] },
                { name: 'Xun Wu', affiliations: [] },
                { name: 'Shaohan Huang', affiliations: [] },
                { name: 'Furu Wei', affiliations: [] },
              ],
              categories: ['cs.CL', 'cs.AI'],
              announceType: 'new',
              links: arxivLinks('2511.10643', 1),
            },
            chinese: {
              titleZh: '大型语言模型的黑盒在线策略蒸馏',
              abstractZh:
                '黑箱蒸馏通过仅学习专有教师模型的文本输出,而无需访问其内部 logits 或参数,来创建学生大语言模型(LLM)。我们引入了生成对抗蒸馏(GAD),它支持基于策略和黑箱的蒸馏。',
            },
            alsoIn: ['agents'],
          },
        ],
      },
      {
        domain: SAMPLE_AGENTS,
        more: 0,
        // Its paper here and Black-Box On-Policy Distillation, listed under LLM with "also in: Agents".
        total: 2,
        entries: [
          {
            paper: {
              id: '2511.10611',
              version: 1,
              title: 'Towards an Agentic Workflow for Internet Measurement Research',
              abstract:
                'Internet measurement research faces an accessibility crisis: complex analyses require custom integration of multiple specialized tools that demands specialized domain expertise. We present ArachNet, the first system demonstrating that LLM agents can independently generate measurement workflows that mimics expert reasoning.',
              authors: [
                { name: 'Alagappan Ramanathan', affiliations: [] },
                { name: 'Eunju Kang', affiliations: [] },
                { name: 'Dongsu Han', affiliations: ['KAIST'] },
                { name: 'Sangeetha Abdu Jyothi', affiliations: [] },
              ],
              categories: ['cs.NI', 'cs.AI'],
              announceType: 'cross',
              links: arxivLinks('2511.10611', 1),
            },
            chinese: null,
            alsoIn: [],
          },
        ],
      },
    ],
  },
  site: {
    name: 'paperboy',
    publicBaseUrl: 'https://paperboy.example.org',
    postalAddress: 'paperboy, 1 Example Street, 10115 Berlin, Germany',
    fromAddress: 'paperboy <digest@paperboy.example.org>',
  },
  domainNames: { llm: SAMPLE_LLM.name, agents: SAMPLE_AGENTS.name },
} satisfies NewsletterProps;

// ---- Preview entry: what `npm run email:dev` shows as "newsletter". ----

// Keyed on the props object: React renders the preview again, with the same props, once the promise has settled.
const compiled = new WeakMap<NewsletterProps, Promise<string>>();

/**
 * react-email's preview server renders each file's default export with React. The newsletter is MJML, whose React
 * output alone is unstyled and shows the dark-mode CSS as text, so the preview compiles it the way sending does and
 * shows that HTML (sending may also shorten an issue past the size budget; the sample is well below it).
 */
function NewsletterPreview(props: NewsletterProps) {
  let html = compiled.get(props);
  if (!html) {
    const label = props.issue.segmentId;
    // For its code view the preview server's JSX runtime adds data-source-file/-line to every element; MJML's
    // strict validation rejects them on mj-* tags, and readers never get them.
    const mjml = renderMjmlMarkup(<Newsletter {...props} />, label).replace(/ data-source-(?:file|line)="[^"]*"/g, '');
    html = compileMjml(mjml, label);
    compiled.set(props, html);
  }
  return <HtmlDocument html={use(html)} />;
}

NewsletterPreview.PreviewProps = Newsletter.PreviewProps;

export default NewsletterPreview;
