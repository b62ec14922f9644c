#!/usr/bin/env bash
# Packs paperboy as npm would publish it, installs the tarball into an empty folder (no checkout, no tsconfig
# around it) and runs the installed `paperboy` there: --version, domains, subscribers import, run, runs and serve.
# Prints one line per check and exits non-zero on the first failure. CI runs it; run it by hand before a release.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/paperboy-pack-XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "pack-install: FAILED: $*" >&2; exit 1; }
ok() { echo "pack-install: ok: $*"; }

cd "$repo"
tarball="$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)"
[ -f "$work/$tarball" ] || fail "npm pack made no tarball"
ok "packed $tarball ($(du -k "$work/$tarball" | cut -f1) KB)"

# What the package holds: the built program and what it reads at run time; no sources' tests or fixtures.
listing="$(tar -tzf "$work/$tarball")"
for required in package/bin/paperboy.js package/dist/src/cli/main.js package/dist/emails/newsletter.js \
  package/emails/compatibility-baseline.json package/paperboy.config.example.yaml package/README.md; do
  grep -qx "$required" <<<"$listing" || fail "the tarball lacks $required"
done
if grep -qE '^package/(test|scripts|src|\.ci)/|fixtures' <<<"$listing"; then
  fail "the tarball carries tests, fixtures or sources: $(grep -E '^package/(test|scripts|src|\.ci)/|fixtures' <<<"$listing" | head -3 | tr '\n' ' ')"
fi
ok "tarball holds $(wc -l <<<"$listing") files: bin, dist, docs; no tests or fixtures"

app="$work/app"
mkdir -p "$app"
cp test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml "$work/feed.xml"
cd "$app"
npm init -y >/dev/null
start=$(date +%s)
npm install --no-audit --no-fund --loglevel=error "$work/$tarball" >"$work/install.log" 2>&1 \
  || { tail -20 "$work/install.log" >&2; fail "npm install of the tarball"; }
ok "installed into an empty folder in $(( $(date +%s) - start )) s ($(du -sm node_modules | cut -f1) MB node_modules)"

paperboy="$app/node_modules/.bin/paperboy"
version="$("$paperboy" --version)"
[ "$version" = "$(node -p "require('$repo/package.json').version")" ] || fail "--version printed '$version'"
ok "paperboy --version: $version"

"$paperboy" domains | grep -q '大语言模型' || fail "paperboy domains"
ok "paperboy domains"

# No PAPERBOY_SECRET: the first run makes one beside the default database (subscribers/paperboy.db here).
unset PAPERBOY_SECRET DATABASE_URL PAPERBOY_CONFIG
"$paperboy" subscribers import node_modules/arxiv-paperboy/subscribers/sample.csv >"$work/import.log" 2>&1 \
  || { cat "$work/import.log" >&2; fail "paperboy subscribers import"; }
grep -q ': 8 added' "$work/import.log" || { cat "$work/import.log" >&2; fail "paperboy subscribers import added not the 8 sample readers"; }
ok "paperboy subscribers import: the 8 sample readers"

"$paperboy" run --date 2025-11-14 --feed "$work/feed.xml" >"$work/run.log" 2>&1 \
  || { tail -30 "$work/run.log" >&2; fail "paperboy run"; }
mails=$(find outbox/2025-11-14 -maxdepth 1 -name '*.eml' | wc -l)
[ "$mails" -gt 0 ] || fail "paperboy run wrote no mails"
[ -f subscribers/paperboy.secret ] || fail "no signing secret was kept beside the database"
ok "paperboy run: $mails mails in outbox/2025-11-14, secret kept in subscribers/paperboy.secret"

"$paperboy" runs | grep -q '2025-11-14' || fail "paperboy runs does not show the run"
ok "paperboy runs shows the run"

"$paperboy" serve --port 0 --host 127.0.0.1 >"$work/serve.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -m1 -oE 'http://127\.0\.0\.1:[0-9]+' "$work/serve.log" || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; fail "paperboy serve exited"; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.log" >&2; fail "paperboy serve printed no address"; }
node --input-type=module -e "
  const base = process.argv[1];
  const health = await fetch(base + '/healthz');
  if (!health.ok) throw new Error('/healthz answered ' + health.status);
  const page = await (await fetch(base + '/')).text();
  if (!page.includes('订阅')) throw new Error('the sign-up page has no Chinese');
" "$url" || fail "paperboy serve does not answer"
ok "paperboy serve answers /healthz and the sign-up page at $url"
echo "pack-install: all checks passed"
