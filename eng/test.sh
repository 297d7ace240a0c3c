#!/usr/bin/env bash
# The one test command (README, CI): installs what the tests need when missing, runs every test in the solution,
# then the package smoke test (eng/package-smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "eng/test.sh: the .NET 10 SDK is required (dotnet not found on PATH)." >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
eng/install-test-deps.sh  # test prerequisites beyond the SDK (PostgreSQL server binaries), when missing
eng/install-browser-deps.sh  # the dashboard browser test: Debian's chromium and playwright-core (npm ci), when missing

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

set +e
dotnet test JobScheduler.sln --configuration Release --logger "console;verbosity=normal" \
  --results-directory "$results" 2>&1 | tee "$results/output.txt"
status=${PIPESTATUS[0]}
set -e

# The packages as a user gets them: pack, restore from a local feed, build and run tests/PackageSmoke.
# It counts as one more test in the closing line.
set +e
eng/package-smoke.sh
smoke_status=$?
set -e

# One plain closing line for CI: the sum over every test assembly.
# Each assembly ends with a summary block: "Total tests: N", "     Passed: N", "     Failed: N", "    Skipped: N".
count() { awk -v key="$1:" '$1 == key && NF == 2 && $2 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }' "$results/output.txt"; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "eng/test.sh: no test ran." >&2
  status=1
fi
if [ "$smoke_status" -eq 0 ]; then
  passed=$((passed + 1))
else
  echo "eng/test.sh: eng/package-smoke.sh failed (exit $smoke_status)." >&2
  failed=$((failed + 1))
  [ "$status" -ne 0 ] || status=$smoke_status
fi
# The failed tests again, with the first lines of their errors, where a CI log's tail shows them.
if [ "$failed" -gt 0 ]; then
  echo "Failed tests:"
  awk '/^  Failed [A-Za-z_]/ { n = 4 } n > 0 { print; n-- }' "$results/output.txt"
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
