#!/usr/bin/env bash
# Consumer smoke test of the NuGet packages (run by eng/test.sh, or alone):
#   1. packs every src project into a temporary folder feed and checks each package (README, lib, xml docs, symbols);
#   2. prints each package's dependencies; fails if the core package depends on ASP.NET, SQLite or Npgsql, or if a
#      package depends on another of ours at anything but its exact version;
#   3. restores tests/PackageSmoke (a console app outside the solution) from that feed into a clean packages folder,
#      builds it and runs it: a real host records one run of an every-second job, and JobScheduler.Testing drives a
#      job on its fake clock.
# Exit code 0 = pass. Set KEEP_SMOKE_TMP=1 to keep the temp folder for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

tmp="$(mktemp -d "${TMPDIR:-/tmp}/jobscheduler-package-smoke.XXXXXX")"
if [ "${KEEP_SMOKE_TMP:-}" = 1 ]; then
  echo "package-smoke: keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

fail() { echo "package-smoke: FAIL: $*" >&2; exit 1; }
step() { echo "package-smoke: $*"; }
started=$SECONDS

# 1. Pack every src project (src/<Name>/<Name>.csproj), as a release would.
mapfile -t projects < <(find src -mindepth 2 -maxdepth 2 -name '*.csproj' | sort)
[ "${#projects[@]}" -gt 0 ] || fail "no project under src/"
for proj in "${projects[@]}"; do
  step "packing $proj"
  dotnet pack "$proj" -c Release -o "$tmp/feed" -nologo -v:q >"$tmp/pack.log" 2>&1 \
    || { cat "$tmp/pack.log" >&2; fail "dotnet pack $proj"; }
done

version=""
for proj in "${projects[@]}"; do
  id="$(basename "$proj" .csproj)"
  # (No `grep -q` or `head` at the end of a pipe here: with pipefail, the writer's SIGPIPE would fail the script.)
  mapfile -t found < <(find "$tmp/feed" -maxdepth 1 -regex ".*/$id\.[0-9][^/]*\.nupkg")
  [ "${#found[@]}" -eq 1 ] || fail "$id: expected one .nupkg, found ${#found[@]}"
  nupkg="${found[0]}"
  [ -f "${nupkg%.nupkg}.snupkg" ] || fail "$id: no .snupkg beside $(basename "$nupkg")"
  files="$(unzip -Z1 "$nupkg")"
  for want in README.md "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -qxF "$want" <<<"$files" || fail "$id: $want missing from $(basename "$nupkg")"
  done
  symbols="$(unzip -Z1 "${nupkg%.nupkg}.snupkg")"
  grep -qxF "lib/net10.0/$id.pdb" <<<"$symbols" || fail "$id: lib/net10.0/$id.pdb missing from the .snupkg"

  # 2. Dependencies, from the nuspec inside the package.
  nuspec="$(unzip -p "$nupkg" "$id.nuspec")"
  pkg_version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p;T;q' <<<"$nuspec")"
  deps="$(grep -o '<dependency [^>]*>' <<<"$nuspec" \
    | sed -E 's/.*id="([^"]+)".*version="([^"]+)".*/\1 \2/' || true)"
  echo "package-smoke: $id $pkg_version depends on:"
  if [ -n "$deps" ]; then sed 's/^/    /' <<<"$deps"; else echo "    (nothing)"; fi
  # The packages ship in lockstep: one on another of ours pins its exact version.
  while read -r dep_id dep_version; do
    case "$dep_id" in
      JobScheduler|JobScheduler.*)
        [ "$dep_version" = "[$pkg_version]" ] || fail "$id depends on $dep_id $dep_version, expected [$pkg_version]" ;;
    esac
  done <<<"$deps"
  if [ "$id" = JobScheduler ]; then
    version="$pkg_version"
    if grep -iE '^(Microsoft\.AspNetCore|[^ ]*Sqlite|[^ ]*Npgsql)' <<<"$deps"; then
      fail "the core package must not depend on ASP.NET Core, SQLite or Npgsql"
    fi
    if grep -q 'Microsoft.AspNetCore.App' <<<"$nuspec"; then
      fail "the core package must not need the ASP.NET Core shared framework"
    fi
  fi
done
[ -n "$version" ] || fail "no JobScheduler package was produced"

# 3. The consumer app, in a temp copy, restored into a clean packages folder so nothing stale is reused.
mkdir -p "$tmp/app"
(cd tests/PackageSmoke && tar --exclude=bin --exclude=obj -cf - .) | (cd "$tmp/app" && tar -xf -)
step "restoring tests/PackageSmoke against JobScheduler $version from the local feed"
dotnet restore "$tmp/app/PackageSmoke.csproj" --packages "$tmp/packages" -p:JobSchedulerVersion="$version" \
  -nologo -v:q >"$tmp/restore.log" 2>&1 || { cat "$tmp/restore.log" >&2; fail "restore"; }
for id in JobScheduler JobScheduler.Testing; do
  [ -d "$tmp/packages/$(tr '[:upper:]' '[:lower:]' <<<"$id")/$version" ] || fail "$id $version was not restored from the feed"
done
step "building"
dotnet build "$tmp/app/PackageSmoke.csproj" -c Release --no-restore -p:JobSchedulerVersion="$version" \
  -nologo -v:q >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "build"; }
step "running"
set +e
timeout 60 dotnet "$tmp/app/bin/Release/net10.0/PackageSmoke.dll"
status=$?
set -e
[ "$status" -eq 0 ] || fail "the app exited with $status"

step "passed in $((SECONDS - started)) s"
