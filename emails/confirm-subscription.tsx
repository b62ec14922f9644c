import { Button, Link, Section, Text } from 'react-email';
import type { Language, LocalizedText } from '../src/types.ts';
import { BUTTON, Bi, LINK, MUTED, TEXT, TopicList, TransactionalShell } from './components/transactional-shell.tsx';

// This mail goes to an address nobody has confirmed yet, so anyone can have it sent to anyone. It therefore
// carries nothing the requester typed, not even the name field: a greeting would let a stranger put up to 100
// characters of their own (a URL, "call this number") into a mail from us to any inbox. Topics and language are
// picked from our own list, so they are safe to show.
export interface ConfirmSubscriptionProps {
  siteName: string;
  postalAddress: string;
  confirmUrl: string;
  topics: LocalizedText[];
  language: Language;
  /** Set when the request is for the weekly digest: when it goes out, e.g. "on Fridays · 每周五" (config, not typed). */
  weeklyOn?: LocalizedText | undefined;
  /** How long the link works. */
  validHours: number;
}

export const confirmSubscriptionSubject = (p: Pick<ConfirmSubscriptionProps, 'siteName'>) =>
  `请确认订阅 | Confirm your subscription · ${p.siteName}`;

// The confirmation button opens a page with one more button: opening the link alone changes nothing, because
// mail scanners open every link.
export default function ConfirmSubscription(props: ConfirmSubscriptionProps) {
  const { language, weeklyOn } = props;
  const what = weeklyOn
    ? { en: `the weekly arXiv digest (${weeklyOn.en})`, zh: `arXiv 每周精选（${weeklyOn.zh}）` }
    : { en: 'the daily arXiv digest', zh: 'arXiv 每日论文推送' };
  return (
    <TransactionalShell
      siteName={props.siteName}
      postalAddress={props.postalAddress}
      preview="Confirm your subscription · 请确认订阅"
      heading={{ en: 'Confirm your subscription', zh: '请确认订阅' }}
      language={language}
    >
      <Bi text={{ en: 'Hello,', zh: '您好：' }} language={language} />
      <Bi
        text={{
          en: `Someone, hopefully you, asked to receive ${what.en} at this address, with these topics:`,
          zh: `有人（希望是您）申请用此地址接收${what.zh}，主题如下：`,
        }}
        language={language}
      />
      <TopicList topics={props.topics} />
      <Section style={{ margin: '20px 0' }}>
        <Button href={props.confirmUrl} style={BUTTON}>
          Confirm · 确认订阅
        </Button>
      </Section>
      <Bi
        text={{
          en: `The link works for ${props.validHours} hours. If you did not ask for this, ignore this mail: nothing will be sent.`,
          zh: `链接在 ${props.validHours} 小时内有效。如果不是您本人申请，请忽略此邮件，我们不会再发送任何内容。`,
        }}
        language={language}
        style={MUTED}
      />
      {/* A long token URL must wrap on a phone instead of widening the mail. */}
      <Text style={{ ...MUTED, wordBreak: 'break-all' }}>
        <Link href={props.confirmUrl} style={LINK}>
          {props.confirmUrl}
        </Link>
      </Text>
    </TransactionalShell>
  );
}

ConfirmSubscription.PreviewProps = {
  siteName: 'paperboy · arXiv daily',
  postalAddress: 'Example Lab, 1 Example Road, Example City 100000',
  confirmUrl: 'https://digest.example.org/confirm/c.1.mgs3x8w.preview',
  topics: [
    { en: 'Large language models', zh: '大语言模型' },
    { en: 'Agents', zh: '智能体' },
  ],
  language: 'bilingual',
  validHours: 48,
} satisfies ConfirmSubscriptionProps;
