#!/usr/bin/env bash
# Usage: bash benchmarks/Shared/run-modes.sh <project-folder> <log-name> <mode>...
#   e.g. bash benchmarks/Shared/run-modes.sh benchmarks/Rows rows verify "paired 30"
#
# What each benchmark's run.sh does: builds <project-folder> once (Release), then runs the modes, in that
# order, against one throwaway PostgreSQL (ci/with-postgres.sh),
# logging each to BenchmarkDotNet.Artifacts/<log-name>/<mode>.log. The 1-minute load average is sampled every
# 15 s into BenchmarkDotNet.Artifacts/<log-name>/load.txt, so a run says how busy the machine was. A mode with
# arguments is one quoted word ("paired 20 100"). Exits non-zero when the build or any mode fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

project=$1
out=BenchmarkDotNet.Artifacts/$2
shift 2
modes=("$@")
mkdir -p "$out"

dotnet build "$project" -c Release -nologo -v:q || exit 1

(while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 15; done) >>"$out/load.txt" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT

inner=$(cat <<'INNER'
set -u
project=$1
out=$2
shift 2
rc=0
for mode in "$@"; do
  echo "== $mode ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
  dotnet run -c Release --no-build --project "$project" -- $mode >"$out/${mode%% *}.log" 2>&1 || { echo "   $mode failed (exit $?)"; rc=1; }
done
exit $rc
INNER
)
bash ci/with-postgres.sh bash -c "$inner" run-modes "$project" "$out" "${modes[@]}"
