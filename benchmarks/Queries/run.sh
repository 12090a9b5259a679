#!/usr/bin/env bash
# Usage: bash benchmarks/Queries/run.sh [mode...]
#
# Builds benchmarks/Queries once (Release; this builds src/Cli too), then runs the given modes (default: all of
# them, in this order) against one throwaway PostgreSQL, logging each to
# BenchmarkDotNet.Artifacts/queries/<mode>.log, with the load average in
# BenchmarkDotNet.Artifacts/queries/load.txt (benchmarks/Shared/run-modes.sh).
#
# Modes: verify paired calls prepare offline-cost (see Program.cs / docs/benchmarks.md). A mode with arguments
# is one quoted word: bash benchmarks/Queries/run.sh "paired 50" "prepare 500 5".
# These benchmarks need neither PgBouncer nor the replica.
export PG_NO_POOLER=1 PG_NO_REPLICA=1
[ "$#" -eq 0 ] && set -- verify "paired 30" calls "prepare 500 3" "offline-cost 500 10"
exec bash "$(dirname "${BASH_SOURCE[0]}")/../Shared/run-modes.sh" benchmarks/Queries queries "$@"
