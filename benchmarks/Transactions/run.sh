#!/usr/bin/env bash
# Usage: bash benchmarks/Transactions/run.sh [mode...]
#
# Builds benchmarks/Transactions once (Release), then runs the given modes (default: all of them, in
# this order) against one throwaway PostgreSQL (ci/with-postgres.sh), logging each to
# BenchmarkDotNet.Artifacts/transactions/<mode>.log. The 1-minute load average is sampled every 15 s
# into BenchmarkDotNet.Artifacts/transactions/load.txt, so a run says how busy the machine was.
#
# Modes: verify scope pooler paired interleaved interleaved-pooler alloc-probe throughput throughput-pooler (see Program.cs / docs/benchmarks.md). A mode with
# arguments is one quoted word: bash benchmarks/Transactions/run.sh "paired 20 100" "throughput 5 3 10 8 32"
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

modes=("$@")
[ "${#modes[@]}" -eq 0 ] && modes=(verify scope pooler paired interleaved interleaved-pooler alloc-probe throughput throughput-pooler)
out=BenchmarkDotNet.Artifacts/transactions
mkdir -p "$out"

dotnet build benchmarks/Transactions -c Release -nologo -v:q || exit 1

(while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 15; done) >>"$out/load.txt" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT

inner=$(cat <<'INNER'
set -u
rc=0
for mode in "$@"; do
  echo "== $mode ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))"
  dotnet run -c Release --no-build --project benchmarks/Transactions -- $mode >"BenchmarkDotNet.Artifacts/transactions/${mode%% *}.log" 2>&1 || { echo "   $mode failed (exit $?)"; rc=1; }
done
exit $rc
INNER
)
bash ci/with-postgres.sh bash -c "$inner" run-modes "${modes[@]}"
