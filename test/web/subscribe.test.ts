import { describe, expect, it } from 'vitest';
import { findSubscriber, listSubscribers, upsertSubscribers } from '../../src/store/subscribers.ts';
import { webDb } from '../../src/store/web-schema.ts';
import { signFormToken } from '../../src/web/form-token.ts';
import { verifyLinkToken } from '../../src/links/link-tokens.ts';
import { SECRET, START, confirmPathOf, createHarness, csrfOf, postForm, submit, textOf } from './web-harness.ts';

// The sign-up page and its POST through app.request(): good paths, and every way a submission can be wrong.

const good = { email: 'Wei.Zhang@Example.org', name: '张伟', topics: ['llm', 'agents'], language: 'bilingual' };

describe('GET /', () => {
  it('shows every topic in both languages, the three languages, a CSRF token and a hidden honeypot', async () => {
    const h = await createHarness();
    const res = await h.app.request('/');
    expect(res.status).toBe(200);
    const page = await res.text();
    for (const domain of h.config.domains) {
      expect(page).toContain(`value="${domain.id}"`);
      expect(page).toContain(domain.name.zh);
      expect(page).toContain(domain.description.en.replace(/&/g, '&amp;'));
    }
    expect(page).toMatch(/type="radio" name="language" value="bilingual" checked/);
    expect(page).toContain('value="zh"');
    expect(page).toContain('value="en"');
    expect(csrfOf(page)).toMatch(/^[0-9a-z]+\.[\w-]{24}$/);
    expect(page).toMatch(/<div class="hp" aria-hidden="true">.*name="website".*tabindex="-1"/);
    // Labels tie to their inputs, so screen readers and a click on the text both work.
    expect(page).toContain('<label class="field" for="email">');
    expect(page).toContain('<input id="email" name="email" type="email" required');
  });

  it('sends the security headers: CSP without inline code, no framing, no referrer to other sites, no caching', async () => {
    const h = await createHarness();
    const res = await h.app.request('/');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('serves its stylesheet, robots.txt and a health check', async () => {
    const h = await createHarness();
    const page = await (await h.app.request('/')).text();
    const css = /href="(\/assets\/site\.[0-9a-f]+\.css)"/.exec(page)?.[1];
    expect(css).toBeDefined();
    const res = await h.app.request(css!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/css');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await (await h.app.request('/robots.txt')).text()).toContain('Disallow: /unsubscribe/');
    const health = await h.app.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('answers an unknown path with a bilingual 404 page', async () => {
    const h = await createHarness();
    const res = await h.app.request('/wp-login.php');
    expect(res.status).toBe(404);
    const text = textOf(await res.text());
    expect(text).toContain('Page not found');
    expect(text).toContain('页面不存在');
  });
});

describe('POST / (subscribe)', () => {
  it('records a pending reader and mails a confirmation link that expires', async () => {
    const h = await createHarness();
    const res = await submit(h, '/', good);
    expect(res.status).toBe(200);
    const text = textOf(await res.text());
    expect(text).toContain('Check your inbox');
    expect(text).toContain('请查收邮件');

    const reader = await findSubscriber(h.db, { email: 'wei.zhang@example.org' });
    expect(reader).toMatchObject({ status: 'pending', topics: ['agents', 'llm'], language: 'bilingual', name: '张伟' });

    expect(h.mails).toHaveLength(1);
    const mail = h.mails[0]!;
    expect(mail.to).toBe('wei.zhang@example.org');
    expect(mail.subject).toContain('Confirm your subscription');
    expect(mail.subject).toContain('请确认订阅');
    expect(mail.headers['X-Paperboy-Mail']).toBe('confirm');
    // Nobody is subscribed yet: no List-Unsubscribe on a confirmation.
    expect(mail.headers['List-Unsubscribe']).toBeUndefined();
    expect(mail.html).toContain('大语言模型');
    expect(mail.text).toContain('Agents · 智能体');

    const token = confirmPathOf(mail).split('/').pop()!;
    const check = verifyLinkToken(token, 'confirm', SECRET, START);
    expect(check).toEqual({ ok: true, claims: { purpose: 'confirm', subscriberId: reader!.id, expiresAt: START.getTime() / 1000 + 48 * 3600 } });
  });

  it('puts nothing the requester typed into the confirmation mail (anyone can have it sent to any address)', async () => {
    const h = await createHarness();
    const name = 'Win a prize at https://evil.example/claim 立即领奖';
    expect((await submit(h, '/', { ...good, name })).status).toBe(200);
    const mail = h.mails[0]!;
    for (const part of [mail.subject, mail.html, mail.text]) {
      expect(part).not.toContain('evil.example');
      expect(part).not.toContain('立即领奖');
    }
    expect(mail.text).toContain('Hello,');
    // The name is kept: it greets the reader in the welcome mail, once the address's owner has confirmed.
    expect(await findSubscriber(h.db, { email: good.email })).toMatchObject({ name });
    await submit(h, confirmPathOf(mail), {});
    const welcome = h.mails.find((m) => m.headers['X-Paperboy-Mail'] === 'welcome');
    expect(welcome?.text).toContain(`Welcome, ${name}!`);
  });

  it('gives the same answer for an address that is already subscribed, and changes nothing until confirmed', async () => {
    const h = await createHarness();
    await upsertSubscribers(h.db, [{ email: 'known@example.org', name: null, topics: ['vision'], language: 'en' }], START);
    const known = await submit(h, '/', { ...good, email: 'known@example.org' });
    const unknown = await submit(h, '/', { ...good, email: 'stranger@example.org' });
    expect(known.status).toBe(unknown.status);
    expect(await known.text()).toBe(await unknown.text());
    expect(await findSubscriber(h.db, { email: 'known@example.org' })).toMatchObject({ status: 'active', topics: ['vision'], language: 'en' });
    // Both get a mail: only the owner of the inbox can go on.
    expect(h.mails.map((m) => m.to)).toEqual(['known@example.org', 'stranger@example.org']);
  });

  describe('frequency (daily or the weekly digest)', () => {
    it('offers daily (checked) or weekly with the configured weekday', async () => {
      const h = await createHarness({ digest: { weeklyOn: 'thursday' } });
      const page = await (await h.app.request('/')).text();
      expect(page).toMatch(/type="radio" name="frequency" value="daily" checked/);
      expect(page).not.toMatch(/value="weekly" checked/);
      expect(textOf(page)).toContain('Weekly: one digest of the week’s best papers (on Thursdays)');
      expect(page).toContain('每周：一封本周精选（每周四）');
    });

    it('keeps weekly through the double opt-in: the mails and the confirm page say so, and the confirmed reader is weekly', async () => {
      const h = await createHarness();
      expect((await submit(h, '/', { ...good, frequency: 'weekly' })).status).toBe(200);
      const confirmMail = h.mails[0]!;
      expect(confirmMail.text).toContain('the weekly arXiv digest (on Fridays)');
      expect(confirmMail.text).toContain('arXiv 每周精选（每周五）');
      const confirmPath = confirmPathOf(confirmMail);
      const confirmPage = textOf(await (await h.app.request(confirmPath)).text());
      expect(confirmPage).toContain('How often · 发送频率');
      expect(confirmPage).toContain('Weekly: one digest of the week’s best papers (on Fridays) · 每周：一封本周精选（每周五）');
      // Pending: nothing a run reads has changed yet.
      expect(await findSubscriber(h.db, { email: good.email })).toMatchObject({ status: 'pending' });

      expect((await submit(h, confirmPath, {})).status).toBe(200);
      expect(await findSubscriber(h.db, { email: good.email })).toMatchObject({ status: 'active', frequency: 'weekly', topics: ['agents', 'llm'] });
      const welcome = h.mails.find((m) => m.headers['X-Paperboy-Mail'] === 'welcome')!;
      expect(welcome.text).toContain('one mail a week, on Fridays');
      expect(welcome.text).toContain('您将每周五收到一封邮件');
      expect(welcome.text).not.toContain('one mail per announcement day');
    });

    it('switches an active daily reader who signs up again for weekly only when they confirm', async () => {
      const h = await createHarness();
      await upsertSubscribers(h.db, [{ email: 'known@example.org', name: null, topics: ['vision'], language: 'en' }], START);
      await submit(h, '/', { ...good, email: 'known@example.org', frequency: 'weekly' });
      expect((await findSubscriber(h.db, { email: 'known@example.org' }))?.frequency).toBeUndefined();
      await submit(h, confirmPathOf(h.mails[0]!), {});
      expect(await findSubscriber(h.db, { email: 'known@example.org' })).toMatchObject({ status: 'active', frequency: 'weekly' });
    });

    it('is daily by default, and from a page without the field (older than the choice)', async () => {
      const h = await createHarness();
      // `good` has no frequency field, like a page served before the choice existed.
      await submit(h, '/', good);
      await submit(h, '/', { ...good, email: 'daily@example.org', frequency: 'daily' });
      for (const mail of [...h.mails]) {
        expect(mail.text).toContain('the daily arXiv digest');
        await submit(h, confirmPathOf(mail), {});
      }
      for (const email of [good.email, 'daily@example.org']) {
        const reader = await findSubscriber(h.db, { email });
        expect(reader).toMatchObject({ status: 'active' });
        expect(reader?.frequency).toBeUndefined(); // absent means daily
      }
      const welcome = h.mails.find((m) => m.headers['X-Paperboy-Mail'] === 'welcome')!;
      expect(welcome.text).toContain('one mail per announcement day');
    });

    it('refuses a forged value in both languages, keeps what was typed, stores and sends nothing', async () => {
      const h = await createHarness();
      const res = await submit(h, '/', { ...good, language: 'zh', frequency: 'hourly' });
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toContain('role="alert"');
      expect(textOf(page)).toContain('Pick daily or weekly.');
      expect(page).toContain('请选择每日或每周。');
      expect(page).toMatch(/name="email"[^>]* value="wei\.zhang@example\.org"/i);
      expect(page).toMatch(/name="language" value="zh" checked/);
      expect(page).toMatch(/name="topics" value="llm"[^>]* checked/);
      // The forged value cannot be shown again: the form falls back to the default.
      expect(page).toMatch(/name="frequency" value="daily" checked/);
      expect(await listSubscribers(h.db)).toEqual([]);
      expect(h.mails).toEqual([]);
    });

    it('keeps weekly checked when another field is wrong', async () => {
      const h = await createHarness();
      const res = await submit(h, '/', { ...good, topics: [], frequency: 'weekly' });
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(textOf(page)).toContain('Pick at least one topic');
      expect(page).toMatch(/name="frequency" value="weekly" checked/);
      expect(page).not.toMatch(/value="daily" checked/);
    });
  });

  it('keeps a suppressed reader suppressed until they confirm themselves', async () => {
    const h = await createHarness();
    await upsertSubscribers(h.db, [{ email: 'gone@example.org', name: null, topics: ['llm'], language: 'en' }], START);
    const id = (await findSubscriber(h.db, { email: 'gone@example.org' }))!.id;
    await h.db.updateTable('subscribers').set({ status: 'bounced' }).where('id', '=', id).execute();
    expect((await submit(h, '/', { ...good, email: 'gone@example.org' })).status).toBe(200);
    expect((await findSubscriber(h.db, { id }))?.status).toBe('bounced');
    const confirmPath = confirmPathOf(h.mails[0]!);
    await submit(h, confirmPath, {});
    expect(await findSubscriber(h.db, { id })).toMatchObject({ status: 'active', topics: ['agents', 'llm'], language: 'bilingual' });
  });

  describe('CSRF', () => {
    it.each([
      ['no token', () => undefined, {}],
      ['a garbage token', () => 'abc', {}],
      ['a token signed for another form', () => signFormToken(SECRET, '/preferences/p.1.x', START), {}],
      ['a token signed with another secret', () => signFormToken('another-secret-0123456789abcdef0123', '/', START), {}],
      ['a post from another site (Origin)', (page: string) => csrfOf(page), { origin: 'https://evil.example' }],
      ['a post from another site (Sec-Fetch-Site)', (page: string) => csrfOf(page), { 'sec-fetch-site': 'cross-site' }],
      ['an opaque origin', (page: string) => csrfOf(page), { origin: 'null' }],
    ])('rejects %s with 403 and changes nothing', async (_name, tokenFor: (page: string) => string | undefined, headers: Record<string, string>) => {
      const h = await createHarness();
      const token = tokenFor(await (await h.app.request('/')).text());
      const res = await postForm(h, '/', token === undefined ? good : { ...good, _csrf: token }, headers);
      expect(res.status).toBe(403);
      expect(textOf(await res.text())).toContain('This form has expired');
      expect(await listSubscribers(h.db)).toEqual([]);
      expect(h.mails).toEqual([]);
    });

    it('rejects a token older than six hours', async () => {
      const h = await createHarness();
      const token = csrfOf(await (await h.app.request('/')).text());
      h.clock.advance(6 * 3600_000 + 1000);
      expect((await postForm(h, '/', { ...good, _csrf: token })).status).toBe(403);
      expect(h.mails).toEqual([]);
    });

    it('accepts a post without Origin headers (older browsers) when the token is right', async () => {
      const h = await createHarness();
      const token = csrfOf(await (await h.app.request('/')).text());
      const res = await h.app.request('/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...good, topics: 'llm', _csrf: token }),
      });
      expect(res.status).toBe(200);
      expect(h.mails).toHaveLength(1);
    });
  });

  describe('validation', () => {
    it.each([
      ['an address without @', { email: 'wei.example.org' }, 'Enter a valid email address'],
      ['an address with a space', { email: 'wei zhang@example.org' }, 'Enter a valid email address'],
      ['an address without a dot in the domain', { email: 'wei@localhost' }, 'Enter a valid email address'],
      ['an address with markup', { email: '<script>@example.org' }, 'Enter a valid email address'],
      ['an address over 254 characters', { email: `${'a'.repeat(60)}@${'b'.repeat(200)}.org` }, 'too long'],
      ['no topic', { topics: [] }, 'Pick at least one topic'],
      ['an unknown topic', { topics: ['llm', 'astrology'] }, 'One of the topics is not offered'],
      ['an unknown language', { language: 'fr' }, 'Pick a language'],
      ['a name over 100 characters', { name: 'x'.repeat(101) }, 'The name is too long'],
    ])('rejects %s with 400, keeps the input, stores and sends nothing', async (_name, change, message) => {
      const h = await createHarness();
      const res = await submit(h, '/', { ...good, ...change });
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(textOf(page)).toContain(message);
      expect(page).toContain('role="alert"');
      expect(await listSubscribers(h.db)).toEqual([]);
      expect(h.mails).toEqual([]);
    });

    it('shows HTML typed into the name field as text, in the page and in the welcome mail', async () => {
      const h = await createHarness();
      const name = '<img src=x onerror=alert(1)>"Bob"';
      const rejected = await (await submit(h, '/', { ...good, name, topics: [] })).text();
      expect(rejected).not.toContain('<img src=x');
      expect(rejected).toContain('value="&lt;img src=x onerror=alert(1)&gt;&quot;Bob&quot;"');

      expect((await submit(h, '/', { ...good, name })).status).toBe(200);
      // The confirmation mail carries no name at all (see the test above); the welcome mail greets by it.
      expect(h.mails[0]!.html).not.toContain('img src=x');
      expect((await findSubscriber(h.db, { email: good.email }))?.name).toBe(name);
      await submit(h, confirmPathOf(h.mails[0]!), {});
      const welcome = h.mails.find((m) => m.headers['X-Paperboy-Mail'] === 'welcome')!;
      expect(welcome.html).not.toContain('<img src=x');
      expect(welcome.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('refuses a huge body with 413 before reading it', async () => {
      const h = await createHarness();
      const token = csrfOf(await (await h.app.request('/')).text());
      const res = await postForm(h, '/', { ...good, _csrf: token, name: 'x'.repeat(100_000) });
      expect(res.status).toBe(413);
      expect(await listSubscribers(h.db)).toEqual([]);
      expect(h.mails).toEqual([]);
    });
  });

  it('treats a filled honeypot like a success that does nothing', async () => {
    const h = await createHarness();
    const res = await submit(h, '/', { ...good, website: 'https://spam.example' });
    expect(res.status).toBe(200);
    expect(textOf(await res.text())).toContain('Check your inbox');
    expect(await listSubscribers(h.db)).toEqual([]);
    expect(h.mails).toEqual([]);
  });

  it('limits sign-ups per client address, and lets them through again after the hour', async () => {
    const h = await createHarness({ web: { rateLimits: { perIpPerHour: 3 } } });
    for (let i = 0; i < 3; i++) expect((await submit(h, '/', { ...good, email: `r${i}@example.org` })).status).toBe(200);
    const limited = await submit(h, '/', { ...good, email: 'r3@example.org' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3600');
    expect(textOf(await limited.text())).toContain('请求过于频繁');
    // Another client is not affected.
    expect((await submit(h, '/', { ...good, email: 'r4@example.org' }, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    h.clock.advance(3600_000);
    expect((await submit(h, '/', { ...good, email: 'r5@example.org' })).status).toBe(200);
    expect(h.mails.map((m) => m.to)).toEqual(['r0@example.org', 'r1@example.org', 'r2@example.org', 'r4@example.org', 'r5@example.org']);
  });

  it('mails one address at most N times a day, without telling the requester', async () => {
    const h = await createHarness({ web: { rateLimits: { perAddressPerDay: 2 } } });
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await submit(h, '/', good, { 'x-forwarded-for': `192.0.2.${i}` });
      expect(res.status).toBe(200);
      answers.push(await res.text());
    }
    expect(new Set(answers).size).toBe(1);
    expect(h.mails).toHaveLength(2);
    h.clock.advance(24 * 3600_000);
    await submit(h, '/', { ...good, email: 'WEI.ZHANG@example.org' });
    expect(h.mails).toHaveLength(3);
  });

  it('says so when the confirmation mail cannot be sent', async () => {
    const h = await createHarness();
    h.failSends.error = 'relay down';
    const res = await submit(h, '/', good);
    expect(res.status).toBe(503);
    expect(textOf(await res.text())).toContain('The mail could not be sent');
    expect(h.logs.join('\n')).toContain('relay down');
  });

  it('keeps the consent request with the client address for evidence', async () => {
    const h = await createHarness();
    await submit(h, '/', good, { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' });
    const rows = await webDb(h.db).selectFrom('web_signups').selectAll().execute();
    // The last hop is the one our own proxy added; the first is whatever the client claimed.
    expect(rows).toEqual([expect.objectContaining({ request_ip: '203.0.113.9', requested_at: START.toISOString(), language: 'bilingual' })]);
  });
});
