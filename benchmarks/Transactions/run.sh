#!/usr/bin/env bash
# Usage: bash benchmarks/Transactions/run.sh [mode...]
#
# Builds benchmarks/Transactions once (Release), then runs the given modes (default: all of them, in
# this order) against one throwaway PostgreSQL, logging each to
# BenchmarkDotNet.Artifacts/transactions/<mode>.log, with the load average in
# BenchmarkDotNet.Artifacts/transactions/load.txt (benchmarks/Shared/run-modes.sh).
#
# Modes: verify scope pooler paired interleaved interleaved-pooler alloc-probe throughput throughput-pooler (see Program.cs / docs/benchmarks.md). A mode with
# arguments is one quoted word: bash benchmarks/Transactions/run.sh "paired 20 100" "throughput 5 3 10 8 32"
[ "$#" -eq 0 ] && set -- verify scope pooler paired interleaved interleaved-pooler alloc-probe throughput throughput-pooler
exec bash "$(dirname "${BASH_SOURCE[0]}")/../Shared/run-modes.sh" benchmarks/Transactions transactions "$@"
