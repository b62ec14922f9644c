import { describe, expect, it } from 'vitest';
import { interestsOf } from '../../src/store/reader-interests.ts';
import { findSubscriber, upsertSubscribers } from '../../src/store/subscribers.ts';
import { webDb } from '../../src/store/web-schema.ts';
import { signFormToken } from '../../src/web/form-token.ts';
import { readerLinks, signLinkToken } from '../../src/links/link-tokens.ts';
import {
  BASE,
  SECRET,
  START,
  confirmPathOf,
  createHarness,
  csrfOf,
  csrfTokens,
  pathOf,
  postForm,
  submit,
  textOf,
  type Harness,
} from './web-harness.ts';

// Confirm, preferences and unsubscribe: the pages a reader reaches from a mail, through app.request().

const signup = { email: 'reader@example.org', name: 'Reader', topics: ['llm', 'agents'], language: 'bilingual' };

async function pendingReader(h: Harness): Promise<{ id: number; confirmPath: string }> {
  expect((await submit(h, '/', signup)).status).toBe(200);
  const mail = h.mails.at(-1)!;
  const reader = await findSubscriber(h.db, { email: signup.email });
  return { id: reader!.id, confirmPath: confirmPathOf(mail) };
}

async function activeReader(h: Harness, topics = ['llm'], language: 'bilingual' | 'zh' | 'en' = 'en'): Promise<number> {
  await upsertSubscribers(h.db, [{ email: 'active@example.org', name: null, topics, language }], START);
  return (await findSubscriber(h.db, { email: 'active@example.org' }))!.id;
}

const links = (id: number) => readerLinks(BASE, id, SECRET);

describe('/confirm/<token>', () => {
  it('shows a button on GET and changes nothing (mail scanners open links)', async () => {
    const h = await createHarness();
    const { id, confirmPath } = await pendingReader(h);
    for (let i = 0; i < 3; i++) {
      const res = await h.app.request(confirmPath);
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain(`<form method="post" action="${confirmPath}">`);
      expect(textOf(page)).toContain('Large language models · 大语言模型');
    }
    expect((await findSubscriber(h.db, { id }))?.status).toBe('pending');
    expect(h.mails).toHaveLength(1);
  });

  it('activates the reader on POST, keeps the consent evidence, and sends a welcome mail with their links', async () => {
    const h = await createHarness();
    const { id, confirmPath } = await pendingReader(h);
    h.clock.advance(60_000);
    const res = await submit(h, confirmPath, {}, { 'x-forwarded-for': '198.51.100.20' });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(textOf(page)).toContain("You're subscribed");
    expect(page).toContain(`href="${pathOf(links(id).preferencesUrl)}"`);
    expect(await findSubscriber(h.db, { id })).toMatchObject({ status: 'active', topics: ['agents', 'llm'], language: 'bilingual' });

    const consent = await webDb(h.db).selectFrom('web_consents').selectAll().execute();
    expect(consent).toEqual([
      expect.objectContaining({
        subscriber_id: id,
        requested_at: START.toISOString(),
        request_ip: '203.0.113.7',
        confirmed_at: new Date(START.getTime() + 60_000).toISOString(),
        confirm_ip: '198.51.100.20',
        topics: '["agents","llm"]',
      }),
    ]);

    const welcome = h.mails.at(-1)!;
    expect(welcome.headers['X-Paperboy-Mail']).toBe('welcome');
    expect(welcome.headers['List-Unsubscribe']).toBe(`<${links(id).unsubscribeUrl}>`);
    expect(welcome.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(welcome.html).toContain(links(id).preferencesUrl);
    expect(welcome.text).toContain('智能体');
  });

  it('says "already confirmed" the second time and sends no second welcome', async () => {
    const h = await createHarness();
    const { confirmPath } = await pendingReader(h);
    await submit(h, confirmPath, {});
    const again = await h.app.request(confirmPath);
    expect(again.status).toBe(200);
    expect(textOf(await again.text())).toContain('Already confirmed');
    expect(h.mails.map((m) => m.headers['X-Paperboy-Mail'])).toEqual(['confirm', 'welcome']);
  });

  it.each([
    ['an altered reader id', (t: string) => t.replace(/^c\.[^.]+/, 'c.2')],
    ['a cut signature', (t: string) => t.slice(0, -4)],
    ['garbage', () => 'not-a-token'],
    ['a preferences token', (_t: string, id: number) => signLinkToken({ purpose: 'preferences', subscriberId: id }, SECRET)],
  ])('rejects %s with a clear 400 page, on GET and POST, changing nothing', async (_name, forge) => {
    const h = await createHarness();
    const { id, confirmPath } = await pendingReader(h);
    const forged = `/confirm/${forge(confirmPath.split('/').pop()!, id)}`;
    const get = await h.app.request(forged);
    expect(get.status).toBe(400);
    expect(textOf(await get.text())).toContain('This link is not valid');
    const validCsrf = csrfOf(await (await h.app.request(confirmPath)).text());
    const post = await postForm(h, forged, { _csrf: validCsrf });
    expect(post.status).toBe(400);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('pending');
  });

  it('rejects an expired link with 410 and a way to start again', async () => {
    const h = await createHarness();
    const { id, confirmPath } = await pendingReader(h);
    const csrf = csrfOf(await (await h.app.request(confirmPath)).text());
    h.clock.advance(48 * 3600_000 + 1000);
    const get = await h.app.request(confirmPath);
    expect(get.status).toBe(410);
    const page = await get.text();
    expect(textOf(page)).toContain('This link has expired');
    expect(page).toContain('href="/"');
    expect((await postForm(h, confirmPath, { _csrf: csrf })).status).toBe(410);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('pending');
  });

  it('needs the CSRF token on the POST', async () => {
    const h = await createHarness();
    const { id, confirmPath } = await pendingReader(h);
    expect((await postForm(h, confirmPath, {})).status).toBe(403);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('pending');
  });

  it('cannot bring back a reader who unsubscribed after the sign-up with the old link', async () => {
    const h = await createHarness();
    const { id, confirmPath } = await pendingReader(h);
    await submit(h, confirmPath, {});
    await postForm(h, pathOf(links(id).unsubscribeUrl), { 'List-Unsubscribe': 'One-Click' });
    const res = await h.app.request(confirmPath);
    expect(res.status).toBe(410);
    expect(textOf(await res.text())).toContain('no longer valid');
    expect((await findSubscriber(h.db, { id }))?.status).toBe('unsubscribed');
  });
});

describe('/preferences/<token>', () => {
  it('shows the current topics and language checked', async () => {
    const h = await createHarness();
    const id = await activeReader(h, ['vision', 'robotics'], 'zh');
    const page = await (await h.app.request(pathOf(links(id).preferencesUrl))).text();
    expect(page).toMatch(/value="vision" aria-describedby="topics-hint" checked/);
    expect(page).toMatch(/value="robotics" aria-describedby="topics-hint" checked/);
    expect(page).not.toMatch(/value="llm" aria-describedby="topics-hint" checked/);
    expect(page).toMatch(/value="zh" checked/);
    // Two forms: save, and leave (posting to the reader's unsubscribe URL).
    expect(csrfTokens(page)).toHaveLength(2);
    expect(page).toContain(`action="${pathOf(links(id).unsubscribeUrl)}"`);
  });

  it('saves new topics and language for the next issue', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const path = pathOf(links(id).preferencesUrl);
    const res = await submit(h, path, { topics: ['agents', 'evaluation'], language: 'bilingual' });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(textOf(page)).toContain('Saved');
    expect(page).toMatch(/value="evaluation" aria-describedby="topics-hint" checked/);
    expect(await findSubscriber(h.db, { id })).toMatchObject({ status: 'active', topics: ['agents', 'evaluation'], language: 'bilingual' });
  });

  it.each([
    ['an unknown topic', { topics: ['agents', 'astrology'], language: 'en' }, 400, 'One of the topics is not offered'],
    ['no topic', { language: 'en' }, 400, 'Pick at least one topic'],
    ['a bad language', { topics: ['agents'], language: 'klingon' }, 400, 'Pick a language'],
  ])('rejects %s and keeps the old choice', async (_name, fields, status, message) => {
    const h = await createHarness();
    const id = await activeReader(h);
    const res = await submit(h, pathOf(links(id).preferencesUrl), fields);
    expect(res.status).toBe(status);
    expect(textOf(await res.text())).toContain(message);
    expect(await findSubscriber(h.db, { id })).toMatchObject({ topics: ['llm'], language: 'en' });
  });

  it('saves keywords, followed authors and exclusions, one per line, and shows them again', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const path = pathOf(links(id).preferencesUrl);
    const page = await (await h.app.request(path)).text();
    expect(page).toContain('<textarea id="interest-keywords" name="keywords"');
    expect(textOf(page)).toContain('Authors you follow');
    const res = await submit(h, path, {
      topics: ['llm'],
      language: 'en',
      keywords: 'RAG\r\nmixture of experts',
      authors: 'Percy Liang',
      exclude: 'medical',
    });
    expect(res.status).toBe(200);
    const saved = await res.text();
    expect(saved).toContain('>RAG\nmixture of experts</textarea>');
    expect(await interestsOf(h.db, id)).toEqual({
      keywords: ['RAG', 'mixture of experts'],
      exclude: ['medical'],
      authors: ['Percy Liang'],
    });
    // The next visit shows them; an old form without the boxes leaves them alone.
    expect(await (await h.app.request(path)).text()).toContain('>Percy Liang</textarea>');
    await submit(h, path, { topics: ['llm'], language: 'zh' });
    expect((await interestsOf(h.db, id)).authors).toEqual(['Percy Liang']);
  });

  it('offers daily or weekly (with the configured weekday), saves weekly, and an old form without the field keeps it', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const path = pathOf(links(id).preferencesUrl);
    const page = await (await h.app.request(path)).text();
    expect(page).toMatch(/name="frequency" value="daily" checked/);
    expect(page).not.toMatch(/value="weekly" checked/);
    expect(textOf(page)).toContain('Weekly: one digest of the week’s best papers (on Fridays)');
    expect(page).toContain('每周：一封本周精选（每周五）');
    const res = await submit(h, path, { topics: ['llm'], language: 'en', frequency: 'weekly' });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/value="weekly" checked/);
    expect(await findSubscriber(h.db, { id })).toMatchObject({ frequency: 'weekly' });
    await submit(h, path, { topics: ['llm'], language: 'zh' });
    expect(await findSubscriber(h.db, { id })).toMatchObject({ language: 'zh', frequency: 'weekly' });
    await submit(h, path, { topics: ['llm'], language: 'zh', frequency: 'daily' });
    expect((await findSubscriber(h.db, { id }))?.frequency).toBeUndefined(); // absent means daily
  });

  it('rejects an unknown frequency in both languages and saves nothing', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const res = await submit(h, pathOf(links(id).preferencesUrl), { topics: ['agents'], language: 'en', frequency: 'hourly' });
    expect(res.status).toBe(400);
    const page = textOf(await res.text());
    expect(page).toContain('Pick daily or weekly.');
    expect(page).toContain('请选择每日或每周。');
    expect(await findSubscriber(h.db, { id })).toMatchObject({ topics: ['llm'] });
    expect((await findSubscriber(h.db, { id }))?.frequency).toBeUndefined();
  });

  it('rejects a bad keyword, names it in both languages, keeps what was typed and saves nothing', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const path = pathOf(links(id).preferencesUrl);
    const res = await submit(h, path, { topics: ['agents'], language: 'en', keywords: 'good one\n/(a+)+$/', authors: '<b>x</b>y' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(textOf(page)).toContain('Your keywords “/(a+)+$/”: write the word or phrase, not a regular expression.');
    expect(page).toContain('你的关键词“/(a+)+$/”：请直接写词或短语，不要用正则表达式。');
    // Typed text comes back escaped, never as markup.
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;y</textarea>');
    expect(await interestsOf(h.db, id)).toEqual({ keywords: [], exclude: [], authors: [] });
    expect(await findSubscriber(h.db, { id })).toMatchObject({ topics: ['llm'] });
  });

  it('rejects a missing CSRF token, a forged link and another reader id', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const path = pathOf(links(id).preferencesUrl);
    expect((await postForm(h, path, { topics: 'agents', language: 'en' })).status).toBe(403);
    const csrf = csrfOf(await (await h.app.request(path)).text());
    const forged = path.replace(/\/p\.[^.]+\./, `/p.${(id + 1).toString(36)}.`);
    expect((await postForm(h, forged, { _csrf: csrf, topics: 'agents', language: 'en' })).status).toBe(400);
    expect((await h.app.request(forged)).status).toBe(400);
    // An unsubscribe token does not open the preferences page.
    expect((await h.app.request(`/preferences/${pathOf(links(id).unsubscribeUrl).split('/').pop()}`)).status).toBe(400);
    expect(await findSubscriber(h.db, { id })).toMatchObject({ topics: ['llm'] });
  });

  it('tells a reader who left that they are not subscribed, and changes nothing', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    await h.db.updateTable('subscribers').set({ status: 'unsubscribed' }).where('id', '=', id).execute();
    const path = pathOf(links(id).preferencesUrl);
    const page = await (await h.app.request(path)).text();
    expect(textOf(page)).toContain('You are not subscribed');
    expect(page).not.toContain('<form');
    const csrf = signFormToken(SECRET, path, h.clock.now);
    const res = await postForm(h, path, { _csrf: csrf, topics: 'agents', language: 'en' });
    expect(textOf(await res.text())).toContain('You are not subscribed');
    expect(await findSubscriber(h.db, { id })).toMatchObject({ status: 'unsubscribed', topics: ['llm'] });
  });
});

describe('/unsubscribe/<token>', () => {
  it('shows a confirm button on GET and changes nothing', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const path = pathOf(links(id).unsubscribeUrl);
    const res = await h.app.request(path);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`<form method="post" action="${path}">`);
    expect(page).toContain(`href="${pathOf(links(id).preferencesUrl)}"`);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('active');
  });

  it.each([
    ['application/x-www-form-urlencoded', () => ({ 'content-type': 'application/x-www-form-urlencoded' }), () => 'List-Unsubscribe=One-Click'],
    [
      'multipart/form-data',
      () => ({}),
      () => {
        const form = new FormData();
        form.append('List-Unsubscribe', 'One-Click');
        return form;
      },
    ],
  ])('unsubscribes at once on an RFC 8058 one-click POST (%s): 200, no redirect, no cookie or token needed', async (_type, headers, body) => {
    const h = await createHarness();
    const id = await activeReader(h);
    const res = await h.app.request(pathOf(links(id).unsubscribeUrl), { method: 'POST', headers: headers(), body: body() });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(textOf(await res.text())).toContain('You have been unsubscribed');
    expect((await findSubscriber(h.db, { id }))?.status).toBe('unsubscribed');
    const goodbye = h.mails.filter((m) => m.headers['X-Paperboy-Mail'] === 'unsubscribed');
    expect(goodbye).toHaveLength(1);
    expect(goodbye[0]!.to).toBe('active@example.org');
    expect(goodbye[0]!.headers['List-Unsubscribe']).toBeUndefined();
  });

  it('is idempotent: a second one-click answers 200 and sends no second goodbye', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const path = pathOf(links(id).unsubscribeUrl);
    for (let i = 0; i < 2; i++) expect((await postForm(h, path, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
    expect(h.mails).toHaveLength(1);
  });

  it('unsubscribes from the page button (CSRF-checked), and refuses the button without its token', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const path = pathOf(links(id).unsubscribeUrl);
    expect((await postForm(h, path, {})).status).toBe(403);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('active');
    expect((await submit(h, path, {})).status).toBe(200);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('unsubscribed');
  });

  it('unsubscribes from the preferences page form too', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    const page = await (await h.app.request(pathOf(links(id).preferencesUrl))).text();
    const [, leaveToken] = csrfTokens(page);
    expect((await postForm(h, pathOf(links(id).unsubscribeUrl), { _csrf: leaveToken! })).status).toBe(200);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('unsubscribed');
  });

  it.each([
    ['an altered reader id', (id: number) => pathOf(links(id).unsubscribeUrl).replace(/\/u\.[^.]+\./, `/u.${(id + 1).toString(36)}.`)],
    ['a preferences token', (id: number) => `/unsubscribe/${pathOf(links(id).preferencesUrl).split('/').pop()}`],
    ['another secret', (id: number) => `/unsubscribe/${signLinkToken({ purpose: 'unsubscribe', subscriberId: id }, 'x'.repeat(40))}`],
  ])('refuses a one-click POST with %s: 400 and nothing changes', async (_name, forge) => {
    const h = await createHarness();
    const id = await activeReader(h);
    const res = await postForm(h, forge(id), { 'List-Unsubscribe': 'One-Click' });
    expect(res.status).toBe(400);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('active');
    expect(h.mails).toEqual([]);
  });

  it('leaves a bounced or complained reader in that status', async () => {
    const h = await createHarness();
    const id = await activeReader(h);
    await h.db.updateTable('subscribers').set({ status: 'complained' }).where('id', '=', id).execute();
    expect((await postForm(h, pathOf(links(id).unsubscribeUrl), { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('complained');
    expect(h.mails).toEqual([]);
  });
});
