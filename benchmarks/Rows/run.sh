#!/usr/bin/env bash
# Usage: bash benchmarks/Rows/run.sh [mode...]
#
# Builds benchmarks/Rows once (Release), then runs the given modes (default: all of them, in this
# order) against one throwaway PostgreSQL, logging each to BenchmarkDotNet.Artifacts/rows/<mode>.log,
# with the load average in BenchmarkDotNet.Artifacts/rows/load.txt (benchmarks/Shared/run-modes.sh).
#
# Modes: verify read insert cold-all paired map-probe alloc-probe (see Program.cs / docs/benchmarks.md).
[ "$#" -eq 0 ] && set -- verify read insert cold-all paired map-probe alloc-probe
exec bash "$(dirname "${BASH_SOURCE[0]}")/../Shared/run-modes.sh" benchmarks/Rows rows "$@"
