#!/usr/bin/env bash
# Analyzer cost benchmark (SPEC section 8): PgBorrow vs IDisposableAnalyzers vs CA2000, measured in
# the same build of a large synthetic Npgsql project.
#
#   bash benchmarks/AnalyzerCost/run.sh
#
# Environment: RUNS (builds to take the median of, default 3), METHODS (default 2400),
# SEED (default 20261125). Everything it writes goes to benchmarks/AnalyzerCost/generated/
# (git-ignored): the project, logs/build-N.log and report.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/generated"
logs="$out/logs"
runs="${RUNS:-3}"
methods="${METHODS:-2400}"
seed="${SEED:-20261125}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
# No build nodes or compiler server outlive the script, and every build compiles in-process the
# same way (each run pays the same JIT cost for every analyzer).
quiet_build=(-nodeReuse:false -p:UseSharedCompilation=false -v:q -nologo)

start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

step "Building the PgBorrow analyzers and runtime (Release)"
dotnet build "$root/src/Analyzers/PgBorrow.Analyzers.csproj" -c Release "${quiet_build[@]}"
dotnet build "$root/src/Runtime/PgBorrow.csproj" -c Release -f net10.0 "${quiet_build[@]}"
analyzer="$root/src/Analyzers/bin/Release/netstandard2.0/PgBorrow.Analyzers.dll"
runtime="$root/src/Runtime/bin/Release/net10.0/PgBorrow.dll"

step "Generating the synthetic project ($methods methods)"
dotnet build "$here/Generator" -c Release "${quiet_build[@]}"
dotnet run --project "$here/Generator" -c Release --no-build -- \
  generate --out "$out" --methods "$methods" --seed "$seed" --analyzer "$analyzer" --runtime "$runtime"

step "Restoring it (Npgsql 10.0.3, IDisposableAnalyzers 4.0.8)"
dotnet restore "$out/Synthetic.Data.csproj" -nodeReuse:false -v:q -nologo

rm -rf "$logs"
mkdir -p "$logs"
for i in $(seq 1 "$runs"); do
  step "Build $i of $runs (--no-incremental -p:ReportAnalyzer=true -v:d)"
  if ! dotnet build "$out/Synthetic.Data.csproj" --no-restore --no-incremental \
      -p:ReportAnalyzer=true -v:d -nodeReuse:false -p:UseSharedCompilation=false \
      > "$logs/build-$i.log" 2>&1; then
    tail -n 60 "$logs/build-$i.log"
    echo "Build $i failed; full log: $logs/build-$i.log" >&2
    exit 1
  fi
  grep -E '^\s*Time Elapsed' "$logs/build-$i.log" | tail -n 1
done

step "Report"
logs_list=()
for i in $(seq 1 "$runs"); do logs_list+=("$logs/build-$i.log"); done
dotnet run --project "$here/Generator" -c Release --no-build -- report "${logs_list[@]}" | tee "$out/report.md"

echo
echo "SDK $(dotnet --version), $(nproc) cores. run.sh took $(( $(date +%s) - start )) s. Logs: $logs"
