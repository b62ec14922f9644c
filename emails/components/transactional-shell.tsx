import type { CSSProperties, ReactNode } from 'react';
import { Body, Container, Head, Hr, Html, Preview, Section, Text } from 'react-email';
import { COLORS, FONT_STACK } from '../../src/render/email-theme.ts';
import type { Language, LocalizedText } from '../../src/types.ts';

// The frame of the three transactional mails (confirm, welcome, unsubscribed): one narrow card, both languages,
// inline styles only. Readers of Chinese see Chinese first; everyone sees both.

export const TEXT: CSSProperties = { fontSize: '16px', lineHeight: '1.6', color: COLORS.text, margin: '0 0 12px' };
export const MUTED: CSSProperties = { ...TEXT, fontSize: '13px', color: COLORS.muted };
export const BUTTON: CSSProperties = {
  backgroundColor: COLORS.accent,
  color: '#ffffff',
  fontSize: '16px',
  fontWeight: 600,
  borderRadius: '6px',
  padding: '12px 22px',
  textDecoration: 'none',
  display: 'inline-block',
};
export const LINK: CSSProperties = { color: COLORS.link };

/** Both languages of one text, in reading order for the reader. */
export function Bi({ text, language, style }: { text: LocalizedText; language: Language; style?: CSSProperties }) {
  const en = (
    <Text key="en" style={style ?? TEXT}>
      {text.en}
    </Text>
  );
  const zh = (
    <Text key="zh" lang="zh-CN" style={style ?? TEXT}>
      {text.zh}
    </Text>
  );
  return <>{language === 'zh' ? [zh, en] : [en, zh]}</>;
}

/** The reader's topics, one per line in both languages. */
export function TopicList({ topics }: { topics: readonly LocalizedText[] }) {
  return (
    <Section style={{ margin: '0 0 12px' }}>
      {topics.map((t) => (
        <Text key={t.en} style={{ ...TEXT, margin: '0 0 4px' }}>
          • {t.en} · <span lang="zh-CN">{t.zh}</span>
        </Text>
      ))}
    </Section>
  );
}

export function TransactionalShell(props: {
  siteName: string;
  postalAddress: string;
  preview: string;
  heading: LocalizedText;
  language: Language;
  children: ReactNode;
}) {
  const heading = props.language === 'zh' ? `${props.heading.zh} · ${props.heading.en}` : `${props.heading.en} · ${props.heading.zh}`;
  return (
    <Html lang={props.language === 'zh' ? 'zh-CN' : 'en'}>
      <Head />
      <Preview>{props.preview}</Preview>
      <Body style={{ backgroundColor: COLORS.page, fontFamily: FONT_STACK, margin: 0, padding: '24px 0' }}>
        <Container style={{ backgroundColor: COLORS.card, maxWidth: '560px', padding: '28px 24px', borderRadius: '8px' }}>
          <Text style={{ ...MUTED, margin: '0 0 8px' }}>{props.siteName}</Text>
          <Text style={{ ...TEXT, fontSize: '22px', fontWeight: 700, lineHeight: '1.3', margin: '0 0 16px' }}>{heading}</Text>
          <Section>{props.children}</Section>
          <Hr style={{ borderColor: COLORS.rule, margin: '24px 0 12px' }} />
          <Text style={MUTED}>
            {props.siteName} · {props.postalAddress}
          </Text>
        </Container>
      </Body>
    </Html>
  );
}
