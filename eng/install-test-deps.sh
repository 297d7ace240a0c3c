#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, when missing. Idempotent; eng/test.sh runs it first.
#
#   PostgreSQL server binaries (initdb, pg_ctl): tests/JobScheduler.PostgreSql.Tests starts its own throwaway server
#   from them (see PostgreSqlServerFixture). Found on PATH or in /usr/lib/postgresql/*/bin; otherwise the Debian
#   package 'postgresql' is installed. The package's own cluster service is stopped again: the tests never use it.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install-common.sh"

have_postgres_binaries() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    return 0
  fi
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    if [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ]; then
      return 0
    fi
  done
  return 1
}


if have_postgres_binaries; then
  echo "eng/install-test-deps.sh: PostgreSQL server binaries found."
else
  apt_install postgresql "the PostgreSQL store tests" \
    "install PostgreSQL 13 or later so that initdb and pg_ctl are on PATH."

  # The package may have created and started its own cluster (port 5432). The tests start their own server, so stop
  # it again; best effort, since containers often have no init system.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _; do
      as_root pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 || true
    done
  fi
  as_root service postgresql stop >/dev/null 2>&1 || true

  if ! have_postgres_binaries; then
    echo "eng/install-test-deps.sh: installed 'postgresql' but initdb and pg_ctl are still not found." >&2
    exit 1
  fi
fi

# PostgreSQL refuses to run as root; as root the fixture runs the server as the 'postgres' user the package creates.
if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
fi
