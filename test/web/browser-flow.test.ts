import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { captureIO as captureWith } from '../support/capture-io.ts';

// A reader's whole life in a real browser against a running `paperboy serve` (a child process, as a user starts
// it): subscribe → confirmation mail from the outbox → confirm → change topics → the next `paperboy run` sends the
// new topics → the one-click URL from that mail's List-Unsubscribe header → the next run sends them nothing.
//
// The ledger sends each batch to a reader once, so "the next run" must be a batch the reader has not had yet. The
// runs use three different batch days, in this order:
//   1. 2025-08-20 (the real Atom fixture), after confirming: the reader gets the topics they signed up with;
//   2. 2025-11-14 (the real RSS fixture), after changing topics: the mail carries the new topics only;
//   3. 2025-11-17, after the one-click unsubscribe: the 2025-11-14 feed with its dates moved to the next
//      announcement day (a fresh batch nobody has had), so an unsubscribed reader would get it if suppression
//      failed. A second reader, imported from CSV, keeps that run from being trivially empty.
// Screenshots of every page at 375 and 1280 px go to test-results/web/ for a person to look at.

const required = process.env.CI === 'true';
const run = chromiumAvailable() || required ? describe : describe.skip;
if (!chromiumAvailable() && !required) console.warn('browser-flow: /usr/bin/chromium missing, browser flow skipped');

const SECRET = 'browser-flow-secret-0123456789abcdef0123';
const PUBLIC = 'https://digest.browser.test';
const SHOTS = 'test-results/web';
const RSS = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const ATOM = 'test/fixtures/atom-cs.AI-2025-08-20.xml';
const READER = 'reader@example.org';
const COLLEAGUE = 'colleague@example.org';
const WEEKLY_READER = 'weekly@example.org';

const captureIO = (now: Date) => captureWith({ PAPERBOY_SECRET: SECRET }, now);

const header = (mail: Email, name: string) => mail.headers.find((h) => h.key === name.toLowerCase())?.value;

run('the reader flow in a real browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-web-'));
  const config = join(dir, 'paperboy.config.yaml');
  const dbFile = join(dir, 'paperboy.db');
  const outbox = join(dir, 'outbox');
  const common = ['--config', config, '--db', dbFile];
  let server: ChildProcess | undefined;
  let origin = '';
  let browser: Browser;
  let page: Page;
  const overflow: string[] = [];

  /** A link from a mail, pointed at the running server instead of the public address (a proxy's job). */
  const local = (url: string) => {
    expect(url.startsWith(PUBLIC)).toBe(true);
    return origin + url.slice(PUBLIC.length);
  };

  async function mailsIn(folder: string): Promise<Email[]> {
    const path = join(outbox, folder);
    if (!existsSync(path)) return [];
    const files = readdirSync(path).filter((f) => f.endsWith('.eml')).sort();
    return Promise.all(files.map((f) => PostalMime.parse(readFileSync(join(path, f)))));
  }

  async function mailTo(folder: string, address: string): Promise<Email | undefined> {
    return (await mailsIn(folder)).find((m) => m.to?.[0]?.address === address);
  }

  async function runDay(date: string, feed: string) {
    const io = captureIO(new Date(`${date}T12:00:00Z`));
    const exit = await runCli([...common, 'run', '--date', date, '--feed', feed, '--outbox', outbox], io);
    return { exit, report: io.stdout.join('\n'), log: io.stderr.join('\n') };
  }

  /** Screenshots at phone and desktop width, and a check that nothing scrolls sideways on the phone. */
  async function shoot(name: string) {
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      if (sideways) overflow.push(`${name} at ${width}px`);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
  }

  /** A transactional mail's HTML part, shown as a mail client would, for the same screenshots. */
  async function shootMail(mail: Email | undefined, name: string) {
    // A blank page first: the server's CSP (no inline styles) must not apply to the mail.
    await page.goto('about:blank');
    await page.setContent(mail?.html ?? '<p>missing</p>', { waitUntil: 'load' });
    await shoot(name);
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(
      config,
      [
        'newsletter:',
        '  name: "paperboy · arXiv daily"',
        '  from: "Lab arXiv digest <digest@example.org>"',
        '  postalAddress: "Example Lab, 1 Example Road, Example City 100000"',
        `  publicBaseUrl: "${PUBLIC}"`,
        'delivery:',
        `  outboxDir: "${outbox}"`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'colleague.csv'), `email,name,topics,language\n${COLLEAGUE},Colleague,llm,en\n`);
    expect(await runCli([...common, 'subscribers', 'import', join(dir, 'colleague.csv')], captureIO(new Date()))).toBe(0);
    expect(await runCli([...common, 'translations', 'import', 'test/fixtures/zh-2025-11-14.json'], captureIO(new Date()))).toBe(0);
    // The synthetic third day: the real feed with its dates moved to Monday 17 November.
    writeFileSync(join(dir, 'rss-2025-11-17.xml'), readFileSync(RSS, 'utf8').replaceAll('Fri, 14 Nov 2025', 'Mon, 17 Nov 2025'));

    server = spawn(process.execPath, [resolve('bin/paperboy.js'), ...common, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, PAPERBOY_SECRET: SECRET, PAPERBOY_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    origin = await new Promise<string>((done, fail) => {
      let stdout = '';
      server!.stdout?.on('data', (chunk) => {
        stdout += String(chunk);
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match?.[1]) done(match[1]);
      });
      server!.once('exit', (code) => fail(new Error(`paperboy serve exited with ${code}:\n${stderr}`)));
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((done) => server!.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('subscribes, confirms, changes topics, gets the new topics, leaves with one click, and gets nothing more', async () => {
    // Subscribe.
    await page.goto(`${origin}/`);
    expect(await page.title()).toContain('订阅');
    await shoot('01-subscribe');
    await page.fill('#email', READER);
    await page.fill('#name', '读者 Reader');
    // Keyboard: the topic checkboxes are reachable and toggled with the space bar.
    await page.focus('input[name="topics"][value="llm"]');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await page.isChecked('input[name="topics"][value="agents"]')).toBe(true);
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent('h1')).toContain('Check your inbox');
    await shoot('02-check-inbox');

    // The confirmation mail, from the outbox.
    const confirmation = await mailTo('web/confirm', READER);
    expect(confirmation?.subject).toContain('请确认订阅');
    const confirmUrl = /https:\/\/\S+\/confirm\/[\w.-]+/.exec(confirmation?.text ?? '')?.[0];
    expect(confirmUrl).toBeDefined();
    await shootMail(confirmation, 'mail-1-confirm');

    // Confirm: the link shows a page; the button confirms.
    await page.goto(local(confirmUrl!));
    await shoot('03-confirm');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent('h1')).toContain("You're subscribed");
    await shoot('04-confirmed');
    const welcome = await mailTo('web/welcome', READER);
    expect(welcome?.subject).toContain('欢迎订阅');
    const preferencesUrl = /https:\/\/\S+\/preferences\/[\w.-]+/.exec(welcome?.text ?? '')?.[0];
    expect(preferencesUrl).toBeDefined();
    await shootMail(welcome, 'mail-2-welcome');

    // A second reader picks the weekly digest on the sign-up form; the choice survives the confirmation.
    await page.goto(`${origin}/`);
    expect(await page.isChecked('input[name="frequency"][value="daily"]')).toBe(true);
    expect(await page.textContent('body')).toContain('(on Fridays)');
    await page.fill('#email', WEEKLY_READER);
    await page.check('input[name="topics"][value="llm"]');
    await page.check('input[name="frequency"][value="weekly"]');
    await shoot('01b-subscribe-weekly');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent('h1')).toContain('Check your inbox');
    const weeklyConfirmation = await mailTo('web/confirm', WEEKLY_READER);
    expect(weeklyConfirmation?.text).toContain('the weekly arXiv digest (on Fridays)');
    const weeklyConfirmUrl = /https:\/\/\S+\/confirm\/[\w.-]+/.exec(weeklyConfirmation?.text ?? '')?.[0];
    await page.goto(local(weeklyConfirmUrl!));
    expect(await page.textContent('body')).toContain('(on Fridays)');
    await shoot('03b-confirm-weekly');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent('h1')).toContain("You're subscribed");
    const weeklyWelcome = await mailTo('web/welcome', WEEKLY_READER);
    expect(weeklyWelcome?.text).toContain('one mail a week, on Fridays');
    await shootMail(weeklyWelcome, 'mail-2b-welcome-weekly');

    // Run 1: the topics signed up with.
    const day1 = await runDay('2025-08-20', ATOM);
    expect(day1.exit, day1.report + day1.log).toBe(0);
    const first = await mailTo('2025-08-20', READER);
    expect(first, day1.report).toBeDefined();
    expect(first!.html).toContain('name="d-llm"');
    expect(first!.html).toContain('name="d-agents"');
    expect(first!.subject).toMatch(/\p{Script=Han}/u);
    // A Wednesday: the weekly reader waits for Friday's digest.
    expect(await mailTo('2025-08-20', WEEKLY_READER)).toBeUndefined();

    // Change topics and language.
    await page.goto(local(preferencesUrl!));
    await shoot('05-preferences');
    await page.uncheck('input[name="topics"][value="llm"]');
    await page.uncheck('input[name="topics"][value="agents"]');
    await page.check('input[name="topics"][value="vision"]');
    await page.check('input[name="topics"][value="evaluation"]');
    await page.check('input[name="language"][value="en"]');
    await page.click('button:has-text("Save")');
    await expect.poll(() => page.textContent('.box.ok')).toContain('Saved');
    await shoot('06-preferences-saved');

    // Run 2: the new topics, in English only.
    const day2 = await runDay('2025-11-14', RSS);
    expect(day2.exit, day2.report + day2.log).toBe(0);
    const second = await mailTo('2025-11-14', READER);
    expect(second).toBeDefined();
    const html = second!.html ?? '';
    expect(html).toContain('name="d-vision"');
    expect(html).toContain('name="d-evaluation"');
    expect(html).not.toContain('name="d-llm"');
    expect(html).not.toContain('name="d-agents"');
    expect(second!.subject).not.toMatch(/\p{Script=Han}/u);
    expect(second!.text ?? '').not.toMatch(/\p{Script=Han}/u);
    // A Friday, the default digest day: the reader who signed up weekly gets the week's digest.
    expect((await mailTo('2025-11-14', WEEKLY_READER))?.subject).toMatch(/arXiv 周报 .*arXiv weekly 10–14 Nov 2025/);

    // The archive the mail links to.
    const archiveLinks = [...html.matchAll(/href="(https:\/\/digest\.browser\.test\/issues\/2025-11-14[^"]*)"/g)].map((m) => m[1]!);
    expect(archiveLinks.length).toBeGreaterThan(0);
    for (const link of new Set(archiveLinks)) expect((await fetch(local(link))).status, link).toBe(200);
    await page.goto(`${origin}/issues`);
    await shoot('07-issues');
    await page.goto(`${origin}/issues/2025-11-14`);
    expect(await page.textContent('body')).toContain('大语言模型的黑盒在线策略蒸馏'); // the glossary's wording (issue 11): the recorded 大型语言模型 is normalised
    // <details> opens without JavaScript.
    await page.click('article.paper details summary >> nth=0');
    expect(await page.isVisible('article.paper details p >> nth=0')).toBe(true);
    await shoot('08-issue');
    await page.goto(`${origin}/issues/2025-11-14/vision`);
    await shoot('09-issue-topic');

    // Switch to the weekly digest (issue 12, part 5): a radio like the language, kept on the next visit.
    await page.goto(local(preferencesUrl!));
    expect(await page.isChecked('input[name="frequency"][value="daily"]')).toBe(true);
    expect(await page.textContent('body')).toContain('每周：一封本周精选');
    await page.check('input[name="frequency"][value="weekly"]');
    await page.click('button:has-text("Save")');
    await expect.poll(() => page.textContent('.box.ok')).toContain('Saved');
    await page.goto(local(preferencesUrl!));
    expect(await page.isChecked('input[name="frequency"][value="weekly"]')).toBe(true);
    expect(await page.isChecked('input[name="language"][value="en"]')).toBe(true);

    // Leave: the page first (a GET changes nothing), then the one-click POST a mailbox provider makes.
    const unsubscribeUrl = /^<(https:\/\/[^>]+)>$/.exec(header(second!, 'List-Unsubscribe') ?? '')?.[1];
    expect(unsubscribeUrl).toBeDefined();
    expect(header(second!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    await page.goto(local(unsubscribeUrl!));
    await shoot('10-unsubscribe');
    const oneClick = await fetch(local(unsubscribeUrl!), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });
    expect(oneClick.status).toBe(200);
    expect(oneClick.headers.get('location')).toBeNull();
    const goodbye = await mailTo('web/unsubscribed', READER);
    expect(goodbye?.subject).toContain('您已退订');
    // The button on the page still answers (idempotent), and shows what a person sees.
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent('h1')).toContain('You have been unsubscribed');
    await shoot('11-unsubscribed');
    await shootMail(goodbye, 'mail-3-unsubscribed');

    // Run 3: a fresh batch; the colleague gets it, the reader who left does not.
    const day3 = await runDay('2025-11-17', join(dir, 'rss-2025-11-17.xml'));
    expect(day3.exit, day3.report + day3.log).toBe(0);
    const third = await mailsIn('2025-11-17');
    // A Monday: no weekly digest either.
    expect(third.map((m) => m.to?.[0]?.address)).toEqual([COLLEAGUE]);

    // A forged link gets a clear page.
    await page.goto(`${origin}/preferences/p.1.forged-signature-xxxxxxx`);
    expect(await page.textContent('h1')).toContain('This link is not valid');
    await shoot('12-invalid-link');

    expect(overflow, 'pages that scroll sideways').toEqual([]);
  }, 120_000);

  it('draws the Chinese text with a CJK font (no tofu boxes)', async () => {
    await page.goto(`${origin}/issues/2025-11-14`);
    // Ask Chromium which installed font actually drew the glyphs of a Chinese title.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'p.title-zh' });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    const drawing = fonts.filter((f) => f.glyphCount > 0).map((f) => f.familyName);
    expect(drawing.length).toBeGreaterThan(0);
    for (const family of drawing) expect(family).toMatch(/CJK|WenQuanYi|WQY|Noto Sans SC|Source Han/i);
    await cdp.detach();
  });
});
