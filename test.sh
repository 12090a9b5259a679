#!/usr/bin/env bash
# The test command: bash test.sh
#
#   1. builds the solution once:  dotnet build Analyzers.sln -c Release
#   2. runs every test project against a throwaway PostgreSQL server:
#        REQUIRE_PG=1 bash ci/with-postgres.sh dotnet test Analyzers.sln -c Release --no-build
#      (REQUIRE_PG=1: the PostgreSQL tests fail instead of skipping if the server is missing)
#   3. reads the TRX results and prints, as its very last line:  <passed> passed, <failed> failed
#
# Exits non-zero if the build fails, any test fails, the test run itself fails, or no test ran.
# Extra arguments go to 'dotnet test' (e.g. bash test.sh --filter "FullyQualifiedName~Pgb002").

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/pgborrow-test.XXXXXX") || exit 1
results_dir=$work_dir/results
build_log=$work_dir/build.log
test_log=$work_dir/test.log

passed=0
failed=0
skipped=0

# Stops the compiler server and MSBuild nodes, removes the work dir, prints the summary line last.
finish() {
  local code=$1
  dotnet build-server shutdown >/dev/null 2>&1 || true
  rm -rf -- "$work_dir"
  [ "$skipped" -gt 0 ] && echo "($skipped skipped)"
  echo "$passed passed, $failed failed"
  exit "$code"
}
trap 'finish 130' INT
trap 'finish 143' TERM

# --- 1. Build ---------------------------------------------------------------------------------------
build_start=$SECONDS
dotnet build Analyzers.sln -c Release 2>&1 | tee "$build_log"
build_rc=${PIPESTATUS[0]}
echo "== build: exit code $build_rc in $((SECONDS - build_start)) s"

# Only the Showcase's Wrong/ folder is meant to produce warnings (every other project treats
# warnings as errors). Say so if any other warning shows up.
other_warnings=$(grep -E ': warning [A-Z]+[0-9]+' "$build_log" | grep -v '/samples/Showcase/Wrong/' | sed -E 's/ \[[^]]*\]$//' | sort -u)
wrong_warnings=$(grep -E ': warning [A-Z]+[0-9]+' "$build_log" | grep '/samples/Showcase/Wrong/' | sed -E 's/ \[[^]]*\]$//' | sort -u | grep -c . || true)
echo "== build warnings: $wrong_warnings in samples/Showcase/Wrong (expected there), $(printf '%s' "$other_warnings" | grep -c . || true) elsewhere"
if [ -n "$other_warnings" ]; then
  echo "== warnings outside samples/Showcase/Wrong:"
  printf '%s\n' "$other_warnings"
fi

if [ "$build_rc" -ne 0 ]; then
  echo "== BUILD FAILED: no test was run (counted as 1 failure)"
  failed=1
  finish 1
fi

# --- 2. Test, against a throwaway PostgreSQL -------------------------------------------------------
test_start=$SECONDS
REQUIRE_PG=1 bash ci/with-postgres.sh \
  dotnet test Analyzers.sln -c Release --no-build \
    --logger "trx" --results-directory "$results_dir" "$@" \
  2>&1 | tee "$test_log"
test_rc=${PIPESTATUS[0]}
echo "== tests: exit code $test_rc in $((SECONDS - test_start)) s"

# --- 3. Count ---------------------------------------------------------------------------------------
# From the TRX files: <Counters total=".." executed=".." passed=".." failed=".." error=".." timeout=".." aborted=".." ...>
counter() { # counter FILE NAME
  grep -o '<Counters [^>]*>' "$1" | head -n 1 | grep -oE " $2=\"[0-9]+\"" | grep -oE '[0-9]+' || echo 0
}
trx_total=0
trx_files=0
shopt -s nullglob
for trx in "$results_dir"/*.trx; do
  trx_files=$((trx_files + 1))
  t=$(counter "$trx" total); e=$(counter "$trx" executed); p=$(counter "$trx" passed)
  f=$(( $(counter "$trx" failed) + $(counter "$trx" error) + $(counter "$trx" timeout) + $(counter "$trx" aborted) ))
  trx_total=$((trx_total + t))
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + t - e))
done
shopt -u nullglob

# Cross-check with the console summaries ("Passed!  - Failed: 0, Passed: 16, Skipped: 0, Total: 16, ...",
# one per test assembly). If the two disagree (a TRX file missing or overwritten), trust the console.
console_lines=$(grep -E '(Passed|Failed|Skipped)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+, Total: +[0-9]+' "$test_log" || true)
if [ -n "$console_lines" ]; then
  sum_of() { printf '%s\n' "$console_lines" | sed -E "s/.*$1: +([0-9]+),.*/\\1/" | awk '{ s += $1 } END { print s + 0 }'; }
  c_failed=$(sum_of Failed); c_passed=$(sum_of Passed); c_skipped=$(sum_of Skipped); c_total=$(sum_of Total)
  if [ "$c_total" -ne "$trx_total" ] || [ "$c_passed" -ne "$passed" ] || [ "$c_failed" -gt "$failed" ]; then
    echo "== note: TRX files ($trx_files, $trx_total tests) and console summaries ($c_total tests) disagree; using the console's counts"
    passed=$c_passed; failed=$c_failed; skipped=$c_skipped
  fi
fi

# Name the failed tests again at the end, where they are easy to find.
if [ "$failed" -gt 0 ]; then
  echo "== failed tests:"
  for trx in "$results_dir"/*.trx; do
    grep -oE '<UnitTestResult [^>]*outcome="(Failed|Error|Timeout|Aborted)"[^>]*>' "$trx" \
      | grep -oE 'testName="[^"]*"' | sed -E 's/testName="(.*)"/  \1/'
  done
fi

code=0
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "== TEST RUN FAILED (exit code $test_rc) without a failed test result: counted as 1 failure"
  failed=1
fi
[ "$failed" -gt 0 ] && code=1
[ "$test_rc" -ne 0 ] && code=1
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "== NO TEST RAN"
  code=1
fi
finish "$code"
