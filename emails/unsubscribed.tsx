import { Link, Text } from 'react-email';
import type { Language } from '../src/types.ts';
import { Bi, LINK, TEXT, TransactionalShell } from './components/transactional-shell.tsx';

export interface UnsubscribedProps {
  siteName: string;
  postalAddress: string;
  language: Language;
  /** The sign-up page: leaving is undone only by subscribing (and confirming) again. */
  subscribeUrl: string;
}

export const unsubscribedSubject = (p: Pick<UnsubscribedProps, 'siteName'>) => `您已退订 | You have been unsubscribed · ${p.siteName}`;

export default function Unsubscribed(props: UnsubscribedProps) {
  const { language } = props;
  return (
    <TransactionalShell
      siteName={props.siteName}
      postalAddress={props.postalAddress}
      preview="You will get no more issues · 您将不再收到日报"
      heading={{ en: 'You have been unsubscribed', zh: '您已退订' }}
      language={language}
    >
      <Bi
        text={{
          en: 'This address will get no more issues of the digest. This is the last mail we send it.',
          zh: '此地址将不再收到日报。这是我们发送给此地址的最后一封邮件。',
        }}
        language={language}
      />
      <Bi
        text={{
          en: 'Unsubscribed by mistake? Subscribe again; you will be asked to confirm once more.',
          zh: '误操作退订？可以重新订阅，届时需要再次确认。',
        }}
        language={language}
      />
      <Text style={TEXT}>
        <Link href={props.subscribeUrl} style={LINK}>
          Subscribe again · 重新订阅
        </Link>
      </Text>
    </TransactionalShell>
  );
}

Unsubscribed.PreviewProps = {
  siteName: 'paperboy · arXiv daily',
  postalAddress: 'Example Lab, 1 Example Road, Example City 100000',
  language: 'bilingual',
  subscribeUrl: 'https://digest.example.org/',
} satisfies UnsubscribedProps;
