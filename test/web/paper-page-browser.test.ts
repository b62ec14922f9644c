import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/web/start-server.ts';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { createHarness, storeSampleDay } from './web-harness.ts';

// A paper's page in real Chromium: readable on a phone (no sideways scroll, link rows tall enough to tap), Chinese
// drawn as Chinese, and no serious or critical accessibility violation by axe-core, in light and dark.
// Screenshots go to test-results/web/ for a person to look at.

const required = process.env.CI === 'true';
const run = chromiumAvailable() || required ? describe : describe.skip;
const SHOTS = resolve('test-results/web');
const AXE = readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8');

run('a paper page in a real browser', () => {
  let browser: Browser;
  let server: RunningServer;

  beforeAll(async () => {
    const h = await createHarness();
    await storeSampleDay(h, { sent: true, details: true });
    server = await startServer(h.app, { host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`reads on a phone and passes axe-core (${scheme})`, async () => {
      // The site's CSP forbids every script; axe is injected by the test, so the context bypasses it.
      const context = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: scheme, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${server.url}/papers/2511.10647`);
      await page.screenshot({ path: join(SHOTS, `paper-375-${scheme}.png`), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const linkHeights = await page.$$eval('.links.tap a', (links) => links.map((a) => a.getBoundingClientRect().height));
      expect(linkHeights.length).toBeGreaterThanOrEqual(5);
      for (const height of linkHeights) expect(height).toBeGreaterThanOrEqual(44);
      await page.addScriptTag({ content: AXE });
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run();
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
      });
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      await page.setViewportSize({ width: 800, height: 900 });
      await page.screenshot({ path: join(SHOTS, `paper-800-${scheme}.png`), fullPage: true });
      await context.close();
    }, 60_000);
  }
});
