import { Button, Link, Section, Text } from 'react-email';
import type { Language, LocalizedText } from '../src/types.ts';
import { BUTTON, Bi, LINK, MUTED, TEXT, TopicList, TransactionalShell } from './components/transactional-shell.tsx';

export interface WelcomeProps {
  siteName: string;
  postalAddress: string;
  /**
   * The name from the sign-up form. Unlike the confirmation mail, this one may greet by it: it is sent only after
   * the owner of the address pressed the confirm button, so a stranger cannot use it to put their text into an
   * inbox of their choosing; at worst the owner, having confirmed, reads once the name the request was made with.
   */
  name: string | null;
  topics: LocalizedText[];
  /** How the reader chose to read, in both languages. */
  languageLabel: LocalizedText;
  language: Language;
  /** Set for a reader of the weekly digest: when it goes out, e.g. "on Fridays · 每周五". */
  weeklyOn?: LocalizedText | undefined;
  preferencesUrl: string;
  unsubscribeUrl: string;
  archiveUrl: string;
}

export const welcomeSubject = (p: Pick<WelcomeProps, 'siteName'>) => `欢迎订阅 | Welcome to ${p.siteName}`;

export default function Welcome(props: WelcomeProps) {
  const { language, weeklyOn } = props;
  const when = weeklyOn
    ? {
        en: `From the next weekly digest on, you receive one mail a week, ${weeklyOn.en}, with the best new papers in:`,
        zh: `从下一期周报起，您将${weeklyOn.zh}收到一封邮件，包含以下主题的本周精选论文：`,
      }
    : {
        en: 'From the next arXiv announcement on, you receive one mail per announcement day with the new papers in:',
        zh: '从下一次 arXiv 更新起，每个更新日您将收到一封邮件，包含以下主题的新论文：',
      };
  const hello = props.name ? { en: `Welcome, ${props.name}!`, zh: `${props.name}，欢迎订阅！` } : { en: 'Welcome!', zh: '欢迎订阅！' };
  return (
    <TransactionalShell
      siteName={props.siteName}
      postalAddress={props.postalAddress}
      preview="Your subscription is confirmed · 订阅已确认"
      heading={{ en: 'Your subscription is confirmed', zh: '订阅已确认' }}
      language={language}
    >
      <Bi text={hello} language={language} />
      <Bi text={when} language={language} />
      <TopicList topics={props.topics} />
      <Text style={TEXT}>
        Language · <span lang="zh-CN">语言</span>: {props.languageLabel.en} · <span lang="zh-CN">{props.languageLabel.zh}</span>
      </Text>
      <Section style={{ margin: '20px 0' }}>
        <Button href={props.preferencesUrl} style={BUTTON}>
          Change topics or language · 修改主题或语言
        </Button>
      </Section>
      <Text style={TEXT}>
        <Link href={props.archiveUrl} style={LINK}>
          Past issues · 往期日报
        </Link>
      </Text>
      <Bi
        text={{
          en: 'Every mail carries these links too. Keep this mail: its links work as long as you are subscribed.',
          zh: '每封日报中也附有这些链接。请保留此邮件，订阅期间其中的链接一直有效。',
        }}
        language={language}
        style={MUTED}
      />
      <Text style={MUTED}>
        <Link href={props.unsubscribeUrl} style={{ ...LINK, color: '#59636e' }}>
          Unsubscribe · 退订
        </Link>
      </Text>
    </TransactionalShell>
  );
}

Welcome.PreviewProps = {
  siteName: 'paperboy · arXiv daily',
  postalAddress: 'Example Lab, 1 Example Road, Example City 100000',
  name: 'Wei',
  topics: [
    { en: 'Large language models', zh: '大语言模型' },
    { en: 'Agents', zh: '智能体' },
  ],
  languageLabel: { en: 'Bilingual: English + Chinese', zh: '中英双语' },
  language: 'bilingual',
  preferencesUrl: 'https://digest.example.org/preferences/p.1.preview',
  unsubscribeUrl: 'https://digest.example.org/unsubscribe/u.1.preview',
  archiveUrl: 'https://digest.example.org/issues',
} satisfies WelcomeProps;
