#!/usr/bin/env bash
# Installs what the dashboard browser test (tests/JobScheduler.AspNetCore.Tests, DashboardBrowserTests) needs, when
# missing. Idempotent; eng/test.sh runs it.
#
#   Chromium: Debian's package 'chromium' (/usr/bin/chromium). The test drives it with playwright-core; Playwright's own
#   browser download (`npx playwright install`) is not used.
#   playwright-core: `npm ci` in tests/JobScheduler.AspNetCore.Tests/e2e, pinned by its package-lock.json.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install-common.sh"
cd "$(dirname "$0")/.."

e2e=tests/JobScheduler.AspNetCore.Tests/e2e


if [ -x /usr/bin/chromium ]; then
  echo "eng/install-browser-deps.sh: Chromium found."
else
  apt_install chromium "the dashboard browser test" \
    "install Chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary when running the tests."
  [ -x /usr/bin/chromium ] || { echo "eng/install-browser-deps.sh: installed 'chromium' but /usr/bin/chromium is still missing." >&2; exit 1; }
fi

if [ -f "$e2e/node_modules/playwright-core/package.json" ]; then
  echo "eng/install-browser-deps.sh: playwright-core found in $e2e/node_modules."
else
  if ! command -v npm >/dev/null 2>&1; then
    echo "eng/install-browser-deps.sh: npm is missing; install Node.js 20 or later (with npm) for the dashboard browser test." >&2
    exit 1
  fi
  echo "eng/install-browser-deps.sh: npm ci in $e2e (playwright-core, no browser download)."
  (cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
