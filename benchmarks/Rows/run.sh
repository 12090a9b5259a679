#!/usr/bin/env bash
# Usage: bash benchmarks/Rows/run.sh [mode...]
#
# Builds benchmarks/Rows once (Release), then runs the given modes (default: all of them, in this
# order) against one throwaway PostgreSQL (ci/with-postgres.sh), logging each to
# BenchmarkDotNet.Artifacts/rows/<mode>.log. The 1-minute load average is sampled every 15 s into
# BenchmarkDotNet.Artifacts/rows/load.txt, so a run says how busy the machine was.
#
# Modes: verify read insert cold-all paired map-probe alloc-probe (see Program.cs / docs/benchmarks.md).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

modes=("$@")
[ "${#modes[@]}" -eq 0 ] && modes=(verify read insert cold-all paired map-probe alloc-probe)
out=BenchmarkDotNet.Artifacts/rows
mkdir -p "$out"

dotnet build benchmarks/Rows -c Release -nologo -v:q || exit 1

(while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 15; done) >>"$out/load.txt" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT

inner=$(cat <<'INNER'
set -u
rc=0
for mode in "$@"; do
  echo "== $mode ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
  dotnet run -c Release --no-build --project benchmarks/Rows -- $mode >"BenchmarkDotNet.Artifacts/rows/${mode%% *}.log" 2>&1 || { echo "   $mode failed (exit $?)"; rc=1; }
done
exit $rc
INNER
)
bash ci/with-postgres.sh bash -c "$inner" run-modes "${modes[@]}"
