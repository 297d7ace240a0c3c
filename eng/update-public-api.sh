#!/usr/bin/env bash
# Brings every src project's PublicAPI.Unshipped.txt in line with its code, as the RS0016/RS0017 code fixes would.
# Usage: eng/update-public-api.sh            (then review `git diff -- '*PublicAPI*.txt'`)
#
# Builds each src project once with analyzer warnings kept as warnings and a SARIF log, then:
#   RS0016 (public, not declared)       -> the API line is added to PublicAPI.Unshipped.txt;
#   RS0017 (declared, no longer public) -> removed from Unshipped, or marked *REMOVED* if it had shipped.
# Shipped.txt is never edited here: moving lines from Unshipped to Shipped is a release step.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

mapfile -t projects < <(find src -mindepth 2 -maxdepth 2 -name '*.csproj' | sort)

for proj in "${projects[@]}"; do
  dir="$(dirname "$proj")"
  for f in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$f" ] || printf '#nullable enable\n' >"$dir/$f"
  done
done

# References first (warnings allowed), so each project below can be compiled on its own.
for proj in "${projects[@]}"; do
  dotnet build "$proj" -c Release -p:TreatWarningsAsErrors=false -nologo -v:q >/dev/null 2>&1 || true
done
for proj in "${projects[@]}"; do
  name="$(basename "$proj" .csproj)"
  echo "eng/update-public-api.sh: analysing $name"
  dotnet build "$proj" -c Release --no-incremental -nologo -v:q \
    -p:TreatWarningsAsErrors=false -p:BuildProjectReferences=false \
    "-p:ErrorLog=$logs/$name.sarif%2Cversion=2.1" >"$logs/$name.build.txt" 2>&1 || {
      # Fails only for real compile errors: show them.
      grep -E ': error ' "$logs/$name.build.txt" | sort -u >&2 || cat "$logs/$name.build.txt" >&2
      exit 1
    }
done

python3 - "$logs" "${projects[@]}" <<'PY'
import json, os, sys

logs, projects = sys.argv[1], sys.argv[2:]

def read(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\r\n") for l in f]

for proj in projects:
    name = os.path.splitext(os.path.basename(proj))[0]
    folder = os.path.dirname(proj)
    shipped_path = os.path.join(folder, "PublicAPI.Shipped.txt")
    unshipped_path = os.path.join(folder, "PublicAPI.Unshipped.txt")
    shipped = set(read(shipped_path))
    unshipped = read(unshipped_path)
    header = [l for l in unshipped if l.startswith("#")] or ["#nullable enable"]
    body = [l for l in unshipped if l and not l.startswith("#")]

    with open(os.path.join(logs, name + ".sarif"), encoding="utf-8") as f:
        sarif = json.load(f)
    add, remove = set(), set()
    for run in sarif["runs"]:
        for r in run.get("results", []):
            props = r.get("properties", {}).get("customProperties", {})
            if r["ruleId"] == "RS0016":
                add.add(props["APIName"])
                for sib in filter(None, props.get("ApiNamesOfSiblingsToRemove", "").split(";;")):
                    remove.add(sib)
            elif r["ruleId"] == "RS0017":
                text = r["message"]["text"]
                # "Symbol 'X' is part of the declared API, but is either not public or could not be found"
                remove.add(text[len("Symbol '"):text.rindex("' is part of")])

    def drop(line):
        return line in remove or line.removeprefix("*REMOVED*") in add and line.startswith("*REMOVED*")

    kept = [l for l in body if not drop(l)]
    removed_shipped = sorted("*REMOVED*" + x for x in remove if x in shipped and x not in add)
    new = sorted(set(kept) | (add - shipped) | set(removed_shipped), key=lambda s: (s.removeprefix("*REMOVED*"), s))
    with open(unshipped_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(header + new) + "\n")
    print(f"{name}: +{len(add - set(body) - shipped)} -{len(set(body) - set(kept))} ({len(new)} unshipped lines)")
PY

echo "eng/update-public-api.sh: done; review with: git diff -- '*PublicAPI*.txt'"
