import { createHmac } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { sql, type Kysely } from 'kysely';
import type { PaperboyConfig } from '../config/schema.ts';
import type { MailTransport } from '../deliver/index.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { Database } from '../store/schema.ts';
import { listSentIssues } from '../store/sent-issues.ts';
import { interestsOf } from '../store/reader-interests.ts';
import { findSubscriber } from '../store/subscribers.ts';
import { hitRateLimit } from '../store/web-rate-limits.ts';
import {
  confirmSignup,
  findOpenSignup,
  openSignup,
  unsubscribeReader,
  updatePreferences,
} from '../store/web-subscribers.ts';
import type { Frequency, LocalizedText, Subscriber } from '../types.ts';
import { clientIpOf } from './client-ip.ts';
import { isSameSiteRequest, signFormToken, verifyFormToken } from './form-token.ts';
import { listDigestWeeks, loadArchiveIssue, loadArchiveWeek } from './issue-archive.ts';
import { logRequests, redactPath } from './log-requests.ts';
import { confirmLink, readerLinks, verifyLinkToken, type LinkPurpose, type TokenCheck } from '../links/link-tokens.ts';
import type { SiteInfo } from './pages/layout.ts';
import { messagePage } from './pages/message-page.ts';
import { issuePage, issuesIndexPage } from './pages/issue-pages.ts';
import { paperPage } from './pages/paper-page.ts';
import { loadPaperView, PAPER_ID_ROUTE } from './paper-view.ts';
import type { InterestTexts } from './pages/choice-fields.ts';
import { confirmPage, preferencesPage, unsubscribePage } from './pages/reader-pages.ts';
import { subscribePage } from './pages/subscribe-page.ts';
import { handleResendWebhook, resendVerifier, type WebhookVerifier } from './resend-webhook.ts';
import { sendOneMail } from './send-mail.ts';
import { SITE_CSS, SITE_CSS_PATH } from './site-css.ts';
import { composeTransactional, type TransactionalMail } from './transactional-mails.ts';
import {
  interestTexts,
  isHoneypotFilled,
  parseFrequencyChoice,
  parseInterestForm,
  parseSubscribeForm,
  parseTopicChoice,
  type FormBody,
} from './validate-form.ts';
import { COPY, LANGUAGE_LABELS, WEEKDAY_NAMES } from './web-copy.ts';
import { createWebMetrics, metricsAccess } from './web-metrics.ts';

// `paperboy serve`: the sign-up, confirm, preferences and unsubscribe pages, the web archive of sent issues, and
// Resend's webhook. Everything the app touches comes in through AppDeps, so tests drive it with app.request().

export interface AppDeps {
  db: Kysely<Database>;
  config: PaperboyConfig;
  /** PAPERBOY_SECRET: signs the links in mails and the forms' CSRF tokens. */
  secret: string;
  /** Carries the confirmation, welcome and goodbye mails. */
  transport: MailTransport;
  now?: () => Date;
  /** RESEND_WEBHOOK_SECRET; without it /webhooks/resend does not exist. */
  webhookSecret?: string | undefined;
  /** Replaces Resend's signature check (tests of the handler's own logic). */
  verifyWebhook?: WebhookVerifier;
  /** One record per request, and the problems (mail that could not be sent, unexpected errors). */
  log?: Logger;
  /** PAPERBOY_METRICS_TOKEN: /metrics answers whoever sends it; without it, only direct requests from this machine. */
  metricsToken?: string | undefined;
  /** Overrides how the client address is found (default: the socket, or X-Forwarded-For with web.trustProxy). */
  clientIp?: (c: Context) => string | null;
}

/** A form post carries a few short fields; anything bigger is not a person filling in a form. */
const FORM_BODY_LIMIT = 16 * 1024;
const WEBHOOK_BODY_LIMIT = 256 * 1024;
const HOUR_MS = 60 * 60 * 1000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

type LinkFailure = Extract<TokenCheck, { ok: false }>['reason'];

export function createApp(deps: AppDeps): Hono {
  const { db, config, secret } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? silentLogger;
  const metrics = createWebMetrics(db);
  const mayReadMetrics = metricsAccess(deps.metricsToken);
  const site: SiteInfo = { name: config.newsletter.name, postalAddress: config.newsletter.postalAddress };
  const base = config.newsletter.publicBaseUrl;
  const publicHost = new URL(base).host;
  const domains = config.domains;
  const domainIds = domains.map((d) => d.id);
  /** When weekly digests go out, as the forms, the confirm page and the mails name it. */
  const weeklyOn = WEEKDAY_NAMES[config.digest.weeklyOn];
  const domainNames = new Map<string, LocalizedText>(domains.map((d) => [d.id, d.name]));
  const clientIp = deps.clientIp ?? ((c: Context) => clientIpOf(c, config.web.trustProxy));
  const verifyWebhook = deps.verifyWebhook ?? (deps.webhookSecret ? resendVerifier(deps.webhookSecret) : undefined);

  const app = new Hono();

  // First, so the record has the final status and time, and every answer (errors too) carries X-Request-Id.
  app.use(logRequests(log));
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      xFrameOptions: 'DENY',
      // Token URLs must never leak to arxiv.org and other sites through the Referer header. Not `no-referrer`:
      // with it browsers send `Origin: null` on our own form posts, which the CSRF check must refuse.
      referrerPolicy: 'same-origin',
      // Only meaningful, and only sent, when the public address is https.
      strictTransportSecurity: base.startsWith('https://') ? 'max-age=31536000; includeSubDomains' : false,
    }),
  );

  // --- helpers -------------------------------------------------------------------------------------------------

  const subscribeLink = { href: '/', label: COPY.navSubscribe };

  /** A page for one reader (token pages, forms): never cached, never indexed. */
  const privatePage = (c: Context, body: string, status: 200 | 400 | 403 | 404 | 410 | 413 | 429 | 500 | 503 = 200) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Robots-Tag', 'noindex, nofollow');
    return c.html(body, status);
  };

  const formToken = (action: string) => signFormToken(secret, action, now());

  const allowedHosts = (c: Context): string[] => {
    const hosts = [publicHost];
    const host = c.req.header('host');
    if (host) hosts.push(host);
    if (config.web.trustProxy) {
      const forwarded = c.req.header('x-forwarded-host');
      if (forwarded) hosts.push(forwarded.split(',')[0]!.trim());
    }
    return hosts;
  };

  /** CSRF: a valid token for this very path, from a same-site browser context (see form-token.ts). */
  const formIsGenuine = (c: Context, body: FormBody): boolean => {
    const sameSite = isSameSiteRequest(
      { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') },
      allowedHosts(c),
    );
    return sameSite && verifyFormToken(secret, c.req.path, body._csrf, now()).ok;
  };

  const formExpired = (c: Context, backTo: string) =>
    privatePage(
      c,
      messagePage(site, {
        title: COPY.formExpiredTitle,
        text: COPY.formExpiredText,
        link: { href: backTo, label: { en: 'Back to the form', zh: '返回表单' } },
      }),
      403,
    );

  const badLink = (c: Context, reason: LinkFailure) =>
    reason === 'expired'
      ? privatePage(c, messagePage(site, { title: COPY.expiredLinkTitle, text: COPY.expiredLinkText, link: subscribeLink }), 410)
      : privatePage(c, messagePage(site, { title: COPY.invalidLinkTitle, text: COPY.invalidLinkText, link: subscribeLink }), 400);

  const checkLink = (c: Context, purpose: LinkPurpose) => verifyLinkToken(c.req.param('token') ?? '', purpose, secret, now());

  const readForm = async (c: Context): Promise<FormBody> => {
    const type = c.req.header('content-type') ?? '';
    if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {};
    return (await c.req.parseBody({ all: true })) as FormBody;
  };

  const bucket = (kind: string, value: string) =>
    `${kind}:${createHmac('sha256', secret).update(`paperboy-rate.v1|${kind}|${value}`).digest('base64url').slice(0, 32)}`;

  /** Names of the given topics, in config order (the order of the form and of the mails). */
  const topicNames = (ids: readonly string[]) => domains.filter((d) => ids.includes(d.id)).map((d) => d.name);

  /** Sends one transactional mail; false (and a log line) when the transport fails. */
  const sendMail = async (mail: TransactionalMail, reader: { id: number; email: string }, unsubscribeUrl?: string) => {
    try {
      const outgoing = await composeTransactional(
        mail,
        {
          from: config.newsletter.from,
          replyTo: config.newsletter.replyTo,
          to: reader.email,
          subscriberId: reader.id,
          unsubscribeUrl,
        },
        now(),
      );
      const problem = await sendOneMail(deps.transport, outgoing, now());
      if (problem === null) return true;
      log.error(`web: the ${mail.kind} mail to subscriber ${reader.id} could not be sent: ${problem}`);
      return false;
    } catch (error) {
      log.error(`web: the ${mail.kind} mail to subscriber ${reader.id} could not be made: ${(error as Error).message}`);
      return false;
    }
  };

  const sendWelcome = (reader: Subscriber) => {
    const links = readerLinks(base, reader.id, secret);
    return sendMail(
      {
        kind: 'welcome',
        props: {
          siteName: site.name,
          postalAddress: site.postalAddress,
          name: reader.name,
          topics: topicNames(reader.topics),
          languageLabel: LANGUAGE_LABELS[reader.language],
          language: reader.language,
          ...(reader.frequency === 'weekly' ? { weeklyOn } : {}),
          preferencesUrl: links.preferencesUrl,
          unsubscribeUrl: links.unsubscribeUrl,
          archiveUrl: `${base}/issues`,
        },
      },
      reader,
      links.unsubscribeUrl,
    );
  };

  /** Relative URLs of a reader's own pages (the browser stays on whatever host it reached us by). */
  const ownLinks = (id: number) => readerLinks('', id, secret);

  const notSubscribed = (c: Context) =>
    privatePage(c, messagePage(site, { title: COPY.notSubscribedTitle, text: COPY.notSubscribedText, link: subscribeLink }));

  // --- static, health -------------------------------------------------------------------------------------------

  app.get(SITE_CSS_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return c.body(SITE_CSS);
  });

  app.get('/robots.txt', (c) =>
    c.text('User-agent: *\nDisallow: /confirm/\nDisallow: /preferences/\nDisallow: /unsubscribe/\nDisallow: /webhooks/\n'),
  );

  app.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await sql`select 1`.execute(db);
      return c.json({ status: 'ok' });
    } catch (error) {
      log.error(`web: health check failed: ${(error as Error).message}`);
      return c.json({ status: 'error', error: 'database unavailable' }, 503);
    }
  });

  // --- subscribe ------------------------------------------------------------------------------------------------

  app.get('/', (c) => privatePage(c, subscribePage(site, { domains, csrf: formToken('/'), weeklyOn })));

  const tooLarge = (c: Context) =>
    privatePage(c, messagePage(site, { title: COPY.tooLargeTitle, text: COPY.tooLargeText, link: { href: c.req.path, label: { en: 'Back', zh: '返回' } } }), 413);

  app.post('/', bodyLimit({ maxSize: FORM_BODY_LIMIT, onError: tooLarge }), async (c) => {
    const body = await readForm(c);
    if (!formIsGenuine(c, body)) return formExpired(c, '/');

    const ip = clientIp(c);
    const perIp = await hitRateLimit(db, bucket('ip', ip ?? 'unknown'), config.web.rateLimits.perIpPerHour, HOUR_MS, now());
    if (!perIp.allowed) {
      c.header('Retry-After', '3600');
      return privatePage(c, messagePage(site, { title: COPY.tooManyTitle, text: COPY.tooManyText }), 429);
    }

    const checkInbox = () => privatePage(c, messagePage(site, { title: COPY.checkInboxTitle, text: COPY.checkInboxText }));
    // A bot that fills the hidden field is told what a person would be told, and nothing happens.
    if (isHoneypotFilled(body)) return checkInbox();

    const { form, errors } = parseSubscribeForm(body, domainIds);
    if (errors.length > 0) {
      return privatePage(c, subscribePage(site, { domains, csrf: formToken('/'), weeklyOn, form, errors }), 400);
    }

    // Past the per-address limit the answer is the same page: a different one would tell a stranger that someone
    // asked for this address recently. The owner's inbox is spared the flood.
    const perAddress = await hitRateLimit(
      db,
      bucket('address', form.email.toLowerCase()),
      config.web.rateLimits.perAddressPerDay,
      24 * HOUR_MS,
      now(),
    );
    if (!perAddress.allowed) return checkInbox();

    const request = { email: form.email, name: form.name || null, topics: form.topics, language: form.language, frequency: form.frequency };
    const { subscriberId } = await openSignup(db, request, now(), ip);
    metrics.countSignup('requested');
    const expiresAt = new Date(now().getTime() + config.web.confirmHours * HOUR_MS);
    const sent = await sendMail(
      {
        kind: 'confirm',
        props: {
          siteName: site.name,
          postalAddress: site.postalAddress,
          confirmUrl: confirmLink(base, subscriberId, secret, expiresAt),
          topics: topicNames(request.topics),
          language: request.language,
          ...(request.frequency === 'weekly' ? { weeklyOn } : {}),
          validHours: config.web.confirmHours,
        },
      },
      { id: subscriberId, email: form.email.toLowerCase() },
    );
    if (!sent) return privatePage(c, messagePage(site, { title: COPY.sendFailedTitle, text: COPY.sendFailedText, link: subscribeLink }), 503);
    return checkInbox();
  });

  // --- confirm --------------------------------------------------------------------------------------------------

  /** What a confirm link shows when nothing is waiting: "already confirmed" to an active reader, else "used". */
  const nothingToConfirm = (c: Context, reader: Subscriber | null) => {
    if (reader?.status === 'active') {
      return privatePage(
        c,
        messagePage(site, {
          title: COPY.alreadyConfirmedTitle,
          text: COPY.alreadyConfirmedText,
          link: { href: ownLinks(reader.id).preferencesUrl, label: { en: 'Change topics or language', zh: '修改主题或语言' } },
        }),
      );
    }
    return privatePage(c, messagePage(site, { title: COPY.usedLinkTitle, text: COPY.usedLinkText, link: subscribeLink }), 410);
  };

  app.get('/confirm/:token', async (c) => {
    const check = checkLink(c, 'confirm');
    if (!check.ok) return badLink(c, check.reason);
    const id = check.claims.subscriberId;
    const [reader, open] = await Promise.all([findSubscriber(db, { id }), findOpenSignup(db, id)]);
    if (!reader || !open) return nothingToConfirm(c, reader);
    return privatePage(
      c,
      confirmPage(site, {
        action: c.req.path,
        csrf: formToken(c.req.path),
        topics: topicNames(open.topics),
        language: open.language,
        frequency: open.frequency,
        weeklyOn,
      }),
    );
  });

  app.post('/confirm/:token', bodyLimit({ maxSize: FORM_BODY_LIMIT, onError: tooLarge }), async (c) => {
    const check = checkLink(c, 'confirm');
    if (!check.ok) return badLink(c, check.reason);
    const body = await readForm(c);
    if (!formIsGenuine(c, body)) return formExpired(c, c.req.path);
    const result = await confirmSignup(db, check.claims.subscriberId, now(), clientIp(c));
    if (result.outcome !== 'confirmed') return nothingToConfirm(c, result.subscriber);
    metrics.countSignup('confirmed');
    await sendWelcome(result.subscriber);
    return privatePage(
      c,
      messagePage(site, {
        title: COPY.confirmedTitle,
        text: COPY.confirmedText,
        link: { href: ownLinks(result.subscriber.id).preferencesUrl, label: { en: 'Change topics or language', zh: '修改主题或语言' } },
      }),
    );
  });

  // --- preferences ----------------------------------------------------------------------------------------------

  const showPreferences = async (
    c: Context,
    reader: Subscriber,
    extra: {
      topics?: string[];
      language?: Subscriber['language'];
      frequency?: Frequency;
      interests?: InterestTexts;
      saved?: boolean;
      errors?: LocalizedText[];
    },
    status: 200 | 400 = 200,
  ) => {
    const unsubscribeAction = ownLinks(reader.id).unsubscribeUrl;
    return privatePage(
      c,
      preferencesPage(site, {
        action: c.req.path,
        csrf: formToken(c.req.path),
        domains,
        topics: extra.topics ?? reader.topics,
        language: extra.language ?? reader.language,
        frequency: extra.frequency ?? reader.frequency ?? 'daily',
        weeklyOn,
        interests: extra.interests ?? interestTexts(await interestsOf(db, reader.id)),
        unsubscribeAction,
        unsubscribeCsrf: formToken(unsubscribeAction),
        saved: extra.saved ?? false,
        errors: extra.errors ?? [],
      }),
      status,
    );
  };

  app.get('/preferences/:token', async (c) => {
    const check = checkLink(c, 'preferences');
    if (!check.ok) return badLink(c, check.reason);
    const reader = await findSubscriber(db, { id: check.claims.subscriberId });
    if (!reader || reader.status !== 'active') return notSubscribed(c);
    return showPreferences(c, reader, {});
  });

  app.post('/preferences/:token', bodyLimit({ maxSize: FORM_BODY_LIMIT, onError: tooLarge }), async (c) => {
    const check = checkLink(c, 'preferences');
    if (!check.ok) return badLink(c, check.reason);
    const body = await readForm(c);
    if (!formIsGenuine(c, body)) return formExpired(c, c.req.path);
    const reader = await findSubscriber(db, { id: check.claims.subscriberId });
    if (!reader || reader.status !== 'active') return notSubscribed(c);
    const { choice, errors } = parseTopicChoice(body, domainIds);
    const { texts, interests, errors: interestErrors } = parseInterestForm(body);
    const { frequency, errors: frequencyErrors } = parseFrequencyChoice(body);
    errors.push(...frequencyErrors, ...interestErrors);
    const shownFrequency = frequency ? { frequency } : {};
    if (errors.length > 0) return showPreferences(c, reader, { ...choice, ...shownFrequency, interests: texts, errors }, 400);
    if (!(await updatePreferences(db, reader.id, { ...choice, interests, frequency }, now()))) return notSubscribed(c);
    return showPreferences(c, reader, { ...choice, ...shownFrequency, ...(interests ? { interests: interestTexts(interests) } : {}), saved: true });
  });

  // --- unsubscribe ----------------------------------------------------------------------------------------------

  app.get('/unsubscribe/:token', async (c) => {
    const check = checkLink(c, 'unsubscribe');
    if (!check.ok) return badLink(c, check.reason);
    const reader = await findSubscriber(db, { id: check.claims.subscriberId });
    if (!reader || (reader.status !== 'active' && reader.status !== 'pending')) return notSubscribed(c);
    return privatePage(
      c,
      unsubscribePage(site, { action: c.req.path, csrf: formToken(c.req.path), preferencesHref: ownLinks(reader.id).preferencesUrl }),
    );
  });

  // One URL for both: the mailbox provider's RFC 8058 one-click POST (body `List-Unsubscribe=One-Click`, no cookie,
  // no CSRF token, no browser context) and the button on the page above. The signed token in the URL is what
  // authorises either; the one-click body is accepted without a form token because the RFC forbids requiring one.
  // The answer is a 200 page, never a redirect.
  app.post('/unsubscribe/:token', bodyLimit({ maxSize: FORM_BODY_LIMIT, onError: tooLarge }), async (c) => {
    const check = checkLink(c, 'unsubscribe');
    if (!check.ok) return badLink(c, check.reason);
    const body = await readForm(c);
    const oneClick = body['List-Unsubscribe'] === 'One-Click';
    if (!oneClick && !formIsGenuine(c, body)) return formExpired(c, c.req.path);
    const id = check.claims.subscriberId;
    const result = await unsubscribeReader(db, id, now());
    if (result.changed) {
      metrics.countUnsubscribe();
      const reader = await findSubscriber(db, { id });
      if (reader) {
        await sendMail(
          { kind: 'unsubscribed', props: { siteName: site.name, postalAddress: site.postalAddress, language: reader.language, subscribeUrl: `${base}/` } },
          reader,
        );
      }
    }
    return privatePage(
      c,
      messagePage(site, { title: COPY.unsubscribedTitle, text: COPY.unsubscribedText, link: { href: '/', label: COPY.subscribeAgain } }),
    );
  });

  // --- archive --------------------------------------------------------------------------------------------------

  const publicPage = (c: Context, body: string) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.html(body);
  };

  app.get('/issues', async (c) => publicPage(c, issuesIndexPage(site, await listSentIssues(db), await listDigestWeeks(db))));

  // A day's issue under its date; a weekly digest's page under its week's Monday: what its "View in browser" and
  // "and N more" links open. Both are rebuilt the same way (see issue-archive.ts) and shown by one template.
  const archive = async (c: Context, load: typeof loadArchiveIssue, date: string, domainId?: string) => {
    if (!ISO_DATE.test(date)) return c.notFound();
    const day = await load(db, domains, date, domainId);
    if (!day) return c.notFound();
    return publicPage(c, issuePage(site, day, domainNames, domainId === undefined ? 'all' : 'domain'));
  };

  app.get('/issues/:date', (c) => archive(c, loadArchiveIssue, c.req.param('date')));
  app.get('/issues/:date/:domain', (c) => archive(c, loadArchiveIssue, c.req.param('date'), c.req.param('domain')));
  app.get('/weeks/:monday', (c) => archive(c, loadArchiveWeek, c.req.param('monday')));
  app.get('/weeks/:monday/:domain', (c) => archive(c, loadArchiveWeek, c.req.param('monday'), c.req.param('domain')));

  // A paper's own page: every entry of a mail and of the archive links here. Only papers of issues that were sent.
  app.get(`/papers/:id{${PAPER_ID_ROUTE}}`, async (c) => {
    const view = await loadPaperView(db, c.req.param('id'), config.translation.glossary);
    if (!view) return c.notFound();
    return publicPage(c, paperPage(site, view));
  });

  // --- Resend webhook -------------------------------------------------------------------------------------------

  app.post('/webhooks/resend', bodyLimit({ maxSize: WEBHOOK_BODY_LIMIT, onError: (c) => c.json({ ok: false, error: 'too large' }, 413) }), async (c) => {
    if (!verifyWebhook) return c.json({ ok: false, error: 'webhook not configured (RESEND_WEBHOOK_SECRET)' }, 404);
    const id = c.req.header('svix-id');
    if (id !== undefined && id.length > 200) return c.json({ ok: false, error: 'svix-id too long' }, 400);
    const answer = await handleResendWebhook(
      { db, verify: verifyWebhook, now: now() },
      await c.req.text(),
      { id, timestamp: c.req.header('svix-timestamp'), signature: c.req.header('svix-signature') },
    );
    return c.json(answer.body, answer.status);
  });

  // --- metrics --------------------------------------------------------------------------------------------------

  // Anyone else gets the not-found page: the route's existence is not advertised.
  app.get('/metrics', async (c) => {
    if (!mayReadMetrics(c)) return c.notFound();
    const { contentType, text } = await metrics.render();
    c.header('Content-Type', contentType);
    c.header('Cache-Control', 'no-store');
    return c.body(text);
  });

  // --- the rest -------------------------------------------------------------------------------------------------

  app.notFound((c) => {
    c.header('Cache-Control', 'no-store');
    return c.html(messagePage(site, { title: COPY.notFoundTitle, text: COPY.notFoundText, link: subscribeLink }), 404);
  });

  app.onError((error, c) => {
    log.error(`web: ${c.req.method} ${redactPath(c.req.path)}: ${error.message}`, { requestId: c.get('requestId'), stack: error.stack });
    c.header('Cache-Control', 'no-store');
    return c.html(messagePage(site, { title: COPY.errorTitle, text: COPY.errorText, link: subscribeLink }), 500);
  });

  return app;
}
