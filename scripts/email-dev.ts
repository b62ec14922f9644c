// `npm run email:dev [-- <email dev options>]`: react-email's preview server for the mails in emails/, on port 3000.
//
// The server's UI, @react-email/ui (Next.js and sharp: ~380 MB, over half of a full install), is no dependency,
// so `npm ci` does not fetch it for a dev-only tool. On first use this installs it with --no-save, without asking:
// package.json and package-lock.json stay as they are, and the next `npm ci` or `npm install` removes it again.
// Left to itself, `email dev` would ask on the terminal and then add it to package.json.
import { spawn, spawnSync } from 'node:child_process';
import { PROJECT_ROOT, findPreviewServer } from './find-preview-server.ts';

let server = findPreviewServer();
if (server.installed !== server.wanted) {
  const pkg = `@react-email/ui@${server.wanted}`;
  console.error(
    `email:dev: the preview server needs ${pkg} (${server.installed ? `found ${server.installed}` : 'not installed'}).\n` +
      `Installing it into node_modules once, without saving it to package.json or package-lock.json (~380 MB)…`,
  );
  const install = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', pkg], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    // npm is npm.cmd on Windows, which Node runs only through a shell.
    shell: process.platform === 'win32',
  });
  server = findPreviewServer();
  if (install.status !== 0 || server.installed !== server.wanted) {
    console.error(`email:dev: could not install ${pkg}; try \`npm install --no-save ${pkg}\` yourself.`);
    process.exit(1);
  }
}

// Options given after ours win: commander keeps the last value of a repeated option.
const args = ['dev', '--dir', 'emails', '--port', '3000', '--esbuild-plugins', 'scripts/email-dev-plugins.ts'];
const child = spawn(process.execPath, [server.cli, ...args, ...process.argv.slice(2)], {
  cwd: PROJECT_ROOT,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
