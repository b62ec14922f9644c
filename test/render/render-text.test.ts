import { describe, expect, it } from 'vitest';
import { Newsletter, type NewsletterProps } from '../../emails/newsletter.tsx';
import { MISSING_ZH_MARKER, READER_PLACEHOLDERS } from '../../src/render/issue-copy.ts';
import { renderText } from '../../src/render/render-text.ts';
import type { Language, SegmentIssue } from '../../src/types.ts';

const sample: NewsletterProps = Newsletter.PreviewProps;
const domains = sample.issue.sections.map((s) => s.domain);
const HAN = /\p{Script=Han}/u;

function withLanguage(language: Language): SegmentIssue {
  return { ...sample.issue, key: { ...sample.issue.key, language } };
}

describe('renderText', () => {
  it('bilingual sample', () => {
    expect(renderText(sample.issue, sample.site, { domains })).toMatchInlineSnapshot(`
      "paperboy
      Friday, 14 November 2025 · 2025年11月14日 星期五
      7 matching your topics, 3 shown in this mail · 匹配您的主题 7 篇，本邮件展示 3 篇
      View in browser / 在浏览器中查看: https://paperboy.example.org/issues/2025-11-14


      大语言模型 Large language models · 6 matching / 匹配 6 篇
      =========================================================

      1.  ParoQuant: Pairwise Rotation Quantization for Efficient Reasoning LLM
          Inference
          ParoQuant：面向高效推理大语言模型的成对旋转量化
          Yesheng Liang, Haisheng Chen, Song Han, Zhijian Liu · cs.CL
          TL;DR: Givens rotations plus channel scaling make 4-bit weights work for
          reasoning LLMs at <10% overhead.
          一句话总结：用 Givens 旋转加通道缩放实现推理模型 4 比特量化，开销低于 10%。
          Weight-only post-training quantization (PTQ) compresses the weights of
          Large Language Models (LLMs) into low-precision representations to reduce
          memory footprint and accelerate inference.
          仅权重的训练后量化(PTQ)将大型语言模型(LLMs)的权重压缩为低精度表示,以减少内存占用并加速推理。然而,权重和激活中的异常值通常会导致较大的量化误差和严重的准确率下降,尤其是在最近的推理型LLM中,误差会在长链的思维过程中累积。
          https://arxiv.org/abs/2511.10645
          Details / 详情: https://paperboy.example.org/papers/2511.10645

      2.  Black-Box On-Policy Distillation of Large Language Models
          大型语言模型的黑盒在线策略蒸馏
          Tianzhu Ye, Li Dong, Zewen Chi, Xun Wu et al. (6 authors) · cs.CL cs.AI
          Black-box distillation creates student large language models (LLMs) by
          learning from a proprietary teacher model’s text outputs alone, without
          access to its internal logits or parameters. In this work, we introduce
          Generative Adversarial Distillation (GAD), which enables on-policy and
          black-box distillation.
          黑箱蒸馏通过仅学习专有教师模型的文本输出,而无需访问其内部 logits 或参数,来创建学生大语言模型(LLM)。我们引入了生成对抗蒸馏(GAD),它支持基于策略和黑箱的蒸馏。
          also in: 智能体 Agents
          https://arxiv.org/abs/2511.10643
          Details / 详情: https://paperboy.example.org/papers/2511.10643

      and 4 more in Large language models / 另有 4 篇: https://paperboy.example.org/issues/2025-11-14/llm


      智能体 Agents · 2 matching / 匹配 2 篇
      ======================================

      3.  Towards an Agentic Workflow for Internet Measurement Research
          译文暂缺 · Chinese translation pending
          Alagappan Ramanathan, Eunju Kang, Dongsu Han, Sangeetha Abdu
          Jyothi · cs.NI cs.AI · cross-list
          Internet measurement research faces an accessibility crisis: complex
          analyses require custom integration of multiple specialized tools that
          demands specialized domain expertise. We present ArachNet, the first
          system demonstrating that LLM agents can independently generate
          measurement workflows that mimics expert reasoning.
          https://arxiv.org/abs/2511.10611
          Details / 详情: https://paperboy.example.org/papers/2511.10611


      -- 
      You receive this because you subscribed to: Large language models, Agents.
      您收到这封邮件，是因为订阅了：大语言模型、智能体。
      Change topics or language / 修改主题或语言: __PB_PREFERENCES_URL__
      Unsubscribe / 退订: __PB_UNSUBSCRIBE_URL__
      This copy was sent to / 本邮件发送至: __PB_READER_EMAIL__
      paperboy · paperboy, 1 Example Street, 10115 Berlin, Germany
      "
    `);
  });

  it.each<Language>(['bilingual', 'zh', 'en'])('%s: no markup, no preheader filler, placeholders and address present', (language) => {
    const text = renderText(withLanguage(language), sample.site, { domains });
    expect(text).not.toMatch(/<\/?[a-z][^>]*>/iu);
    expect(text).not.toMatch(/&(amp|lt|gt|nbsp|#\d+);/u);
    expect(text).not.toMatch(/[\u034f\u200b\u200c\u00a0]/u);
    for (const token of Object.values(READER_PLACEHOLDERS)) expect(text).toContain(token);
    expect(text).toContain(sample.site.postalAddress);
    for (const entry of sample.issue.sections.flatMap((s) => s.entries)) expect(text).toContain(entry.paper.links.abs);
    expect(text).toContain('https://paperboy.example.org/issues/2025-11-14/llm');
  });

  it('bilingual: numbered entries, Chinese title or marker, CJK lines whole, English wrapped at 78', () => {
    const text = renderText(sample.issue, sample.site, { domains });
    expect(text).toMatch(/^1\. {2}ParoQuant: Pairwise Rotation/mu);
    expect(text).toMatch(/^2\. {2}Black-Box On-Policy/mu);
    expect(text).toMatch(/^3\. {2}Towards an Agentic Workflow/mu);
    expect(text).toContain('\n    大型语言模型的黑盒在线策略蒸馏\n');
    // The untranslated paper gets the marker in the Chinese slot, not its English title.
    expect(text).toMatch(/Research\n {4}译文暂缺 · Chinese translation pending\n/u);
    // A Chinese summary stays on one line.
    expect(text).toMatch(/^ {4}黑箱蒸馏通过仅学习专有教师模型的文本输出.*参数,来创建学生大语言模型\(LLM\)。/mu);
    for (const line of text.split('\n')) {
      if (!HAN.test(line) && !line.includes('http') && !line.includes('__PB_')) {
        expect(line.length, line).toBeLessThanOrEqual(78);
      }
    }
    expect(text).toContain('Friday, 14 November 2025 · 2025年11月14日 星期五');
    expect(text).toContain('and 4 more in Large language models / 另有 4 篇: https://paperboy.example.org/issues/2025-11-14/llm');
  });

  it('en: English only', () => {
    const text = renderText(withLanguage('en'), sample.site, { domains });
    expect(text).not.toMatch(HAN);
    expect(text).not.toContain('Chinese translation pending');
    expect(text).toContain('Weight-only post-training quantization');
    expect(text).toContain('Tianzhu Ye, Li Dong, Zewen Chi, Xun Wu et al. (6 authors)');
  });

  it('zh: Chinese UI, Chinese title first, Chinese summary only', () => {
    const text = renderText(withLanguage('zh'), sample.site, { domains });
    expect(text).toMatch(/^1\. {2}ParoQuant：面向高效推理大语言模型的成对旋转量化\n {4}ParoQuant: Pairwise/mu);
    expect(text).toContain('匹配您的主题 7 篇，本邮件展示 3 篇');
    expect(text).toContain('退订：__PB_UNSUBSCRIBE_URL__');
    expect(text).toContain('Tianzhu Ye, Li Dong, Zewen Chi, Xun Wu 等 6 位作者');
    expect(text).not.toContain('Weight-only post-training quantization');
    expect(text).not.toContain('Unsubscribe');
    // Exactly one marker for the untranslated paper.
    expect(text.split(MISSING_ZH_MARKER).length - 1).toBe(1);
  });

  it('an empty topic says so', () => {
    const first = sample.issue.sections[0];
    if (!first) throw new Error('sample has no section');
    const issue: SegmentIssue = { ...sample.issue, sections: [{ ...first, entries: [], more: 0, total: 0 }] };
    expect(renderText(issue, sample.site, { domains })).toContain(
      'No new papers in this topic today / 今日该主题暂无新论文',
    );
  });
});
