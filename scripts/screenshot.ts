// Screenshots of HTML files (mail previews, pages) at phone and desktop width, in Debian's Chromium.
// Usage: npx tsx scripts/screenshot.ts <out-dir> <file.html>… [--widths 375,800] [--dark]
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/support/chromium.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const widths = (flag('--widths') ?? '375,800').split(',').map(Number);
const dark = args.includes('--dark');
const [outDir, ...files] = args.filter((a) => a !== '--dark');
if (!outDir || files.length === 0) {
  console.error('usage: npx tsx scripts/screenshot.ts <out-dir> <file.html>… [--widths 375,800] [--dark]');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const browser = await launchChromium();
try {
  for (const file of files) {
    for (const width of widths) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      if (dark) await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(pathToFileURL(resolve(file)).href);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      const out = join(outDir, `${basename(file, '.html')}-${width}${dark ? '-dark' : ''}.png`);
      await page.screenshot({ path: out, fullPage: true });
      console.log(`${out}${overflow > 0 ? `  (horizontal overflow ${overflow}px!)` : ''}`);
      await page.close();
    }
  }
} finally {
  await browser.close();
}
