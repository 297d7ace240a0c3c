#!/usr/bin/env bash
# What each piece of a JobScheduler run costs at W2 scale, measured by taking it out (docs/performance.md, eighth round).
#
#   benchmarks/diagnostics/ablate.sh 3 floor none REC MET LOG SET GATE MAX=10 REC+MET+LOG+SET+GATE+HEALTH
#
# Builds ablation.patch's base commit (BASE, a263d9b by default: the patch switches pieces of the run path as they were
# before the fifteenth round's end queue, and does not apply after it) with the patch in a temporary git worktree, then runs the W2 worker (10,000 every-second
# jobs, 20 s window after the warm-up) once per variant, the variants alternating, N rounds. A variant is "floor"
# (the Task.Delay loop), "none" (the patched build, nothing skipped) or switches joined by '+': REC, MET, LOG, SET,
# HEALTH, GATE (see Abl.cs in the patch) and MAX=n (the in-memory store's default bound). WARMUP=110 sets the warm-up
# (seconds; 10 by default): past the default bound of 100, every log has wrapped. Nothing else should run.
set -euo pipefail
rounds=$1; shift
repo=$(git rev-parse --show-toplevel)
tree=$(mktemp -d)/ablation
git -C "$repo" worktree add --detach "$tree" "${BASE:-a263d9b}" >/dev/null
trap 'git -C "$repo" worktree remove --force "$tree"' EXIT
git -C "$tree" apply "$repo/benchmarks/diagnostics/ablation.patch"
dotnet build -c Release "$tree/benchmarks/JobScheduler.Benchmarks" >/dev/null
worker="$tree/benchmarks/JobScheduler.Benchmarks/bin/Release/net10.0/JobScheduler.Benchmarks.dll"

run() { # label system env...
  local label=$1 system=$2; shift 2
  env "$@" dotnet "$worker" worker "$system" scale --jobs 10000 --seconds 20 --warmup "${WARMUP:-10}" | tail -1 | python3 -c "
import sys, json
d = json.loads(sys.stdin.read())
print('%-28s p50=%.1f p99=%.1f cpu/1000=%.2f kernel/1000=%.2f alloc/run=%.0fB gc=%.0fms missed=%d doubled=%d ws=%.0fMB' % ('$label',
      d['p50'], d['p99'], d['cpuPer1000'], d['kernelCpuPer1000'], d['allocPerRunB'], d['gcPauseMs'], d['missed'], d['doubled'], d['peakWsMb']))"
}

for _ in $(seq "$rounds"); do
  for variant in "$@"; do
    if [ "$variant" = floor ]; then run floor floor; continue; fi
    switches=()
    if [ "$variant" != none ]; then
      for part in ${variant//+/ }; do
        case $part in *=*) switches+=("ABL_$part") ;; *) switches+=("ABL_$part=1") ;; esac
      done
    fi
    run "$variant" jobscheduler "${switches[@]}"
  done
done
