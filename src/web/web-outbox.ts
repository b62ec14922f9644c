import { join } from 'node:path';
import { createOutboxTransport } from '../deliver/index.ts';
import type { MailJob, MailTransport, SendOutcome } from '../deliver/index.ts';
import { KIND_HEADER } from './transactional-mails.ts';

/**
 * Several `paperboy serve` processes, on this machine or others, may share an outbox, so a `.partial` file whose
 * writer is not provably gone (deliver/outbox-transport.ts) is only a crash's leftover once nobody has touched it
 * for a while: writing one mail takes milliseconds. A minute, not the default hour: these are a few small files.
 */
const SHARED_PARTIAL_AGE_MS = 60_000;

/**
 * The outbox for the web front's mails: `<dir>/web/<kind>/<reader>.eml` (confirm, welcome, unsubscribed), next to
 * the issues' `<dir>/<batch date>/`. A newer mail of the same kind to the same reader replaces the older file,
 * which for a confirmation is the one that matters.
 */
export function createWebOutboxTransport(options: { dir: string }): MailTransport {
  const byKind = new Map<string, MailTransport>();
  const outboxOf = (kind: string) => {
    let outbox = byKind.get(kind);
    if (!outbox) {
      outbox = createOutboxTransport({ dir: join(options.dir, 'web'), batchDate: kind, partialMinAgeMs: SHARED_PARTIAL_AGE_MS });
      byKind.set(kind, outbox);
    }
    return outbox;
  };
  return {
    name: 'outbox',
    maxBatch: 100,
    resend: 'overwrite',
    async send(mails, context) {
      return Promise.all(
        mails.map(async (mail: MailJob): Promise<SendOutcome> => {
          const kind = (mail.fields().headers[KIND_HEADER] ?? 'other').replace(/[^a-z-]/g, '') || 'other';
          const [outcome] = await outboxOf(kind).send([mail], context);
          return outcome ?? { status: 'rejected', error: 'the outbox returned no outcome', retryable: false };
        }),
      );
    },
    async close() {
      await Promise.all([...byKind.values()].map((t) => t.close()));
    },
  };
}
