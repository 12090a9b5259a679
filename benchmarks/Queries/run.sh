#!/usr/bin/env bash
# Usage: bash benchmarks/Queries/run.sh [mode...]
#
# Builds benchmarks/Queries once (Release; this builds src/Cli too), then runs the given modes (default: all of
# them, in this order) against one throwaway PostgreSQL (ci/with-postgres.sh), logging each to
# BenchmarkDotNet.Artifacts/queries/<mode>.log. The 1-minute load average is sampled every 15 s into
# BenchmarkDotNet.Artifacts/queries/load.txt, so a run says how busy the machine was.
#
# Modes: verify paired calls prepare offline-cost (see Program.cs / docs/benchmarks.md). A mode may carry its
# arguments in quotes: bash benchmarks/Queries/run.sh "paired 50" "prepare 500 5".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

modes=("$@")
[ "${#modes[@]}" -eq 0 ] && modes=(verify "paired 30" calls "prepare 500 3" "offline-cost 500 10")
out=BenchmarkDotNet.Artifacts/queries
mkdir -p "$out"

dotnet build benchmarks/Queries -c Release -nologo -v:q || exit 1

(while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 15; done) >>"$out/load.txt" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT

inner=$(cat <<'INNER'
set -u
rc=0
for mode in "$@"; do
  echo "== $mode ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
  dotnet run -c Release --no-build --project benchmarks/Queries -- $mode >"BenchmarkDotNet.Artifacts/queries/${mode%% *}.log" 2>&1 || { echo "   $mode failed (exit $?)"; rc=1; }
done
exit $rc
INNER
)
# The call benchmarks need neither PgBouncer nor the replica.
PG_NO_POOLER=1 PG_NO_REPLICA=1 bash ci/with-postgres.sh bash -c "$inner" run-modes "${modes[@]}"
