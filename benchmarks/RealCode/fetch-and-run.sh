#!/usr/bin/env bash
# Real-code benchmark: extracts the projects of projects.tsv from local mirrors at the listed commits, then runs
# every PgBorrow analyzer over them ("noise", with IDisposableAnalyzers and CA2000 timed beside), and the bug
# table through "recall".
#
#   bash benchmarks/RealCode/fetch-and-run.sh [mirrors-folder] [work-folder]
#
# mirrors-folder (default /work/.mirror) holds one bare mirror per repository as <owner>+<name>/repo
# (`git clone --mirror https://github.com/<owner>/<name> <owner>+<name>/repo` makes one).
# work-folder (default /work/realcode) receives src/<name>/ (the tree without binaries),
# baseline.tsv (every PGB diagnostic), noise.md (summary and timing), recall.tsv and recall.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mirrors="${1:-/work/.mirror}"
work="${2:-/work/realcode}"
mkdir -p "$work/src"
# Binaries stay out (some mirrors lack large blobs, e.g. RepoDB's nuget.exe).
skip=(':(exclude)*.exe' ':(exclude)*.dll' ':(exclude)*.nupkg' ':(exclude)*.zip' ':(exclude)*.jar' ':(exclude)*.png' ':(exclude)*.jpg')

grep -v '^#' "$here/projects.tsv" | tail -n +2 | while IFS=$'\t' read -r name repo commit _; do
  [ -z "$name" ] && continue
  dest="$work/src/$name"
  if [ -f "$dest/.commit" ] && [ "$(cat "$dest/.commit")" = "$commit" ]; then continue; fi
  rm -rf "$dest" && mkdir -p "$dest"
  echo "extracting $repo @ ${commit:0:10}" >&2
  gitdir="$mirrors/${repo/\//+}/repo"
  # Blobs absent from the mirror (e.g. Dotmim.Sync's large AdventureWorks scripts) are left out too.
  missing=()
  while IFS= read -r path; do missing+=(":(exclude,literal)$path"); done < <(
    join -t $'\t' <(git --git-dir="$gitdir" ls-tree -r "$commit" | awk -F'\t' '{ split($1, a, " "); if (a[2] == "blob") print a[3] "\t" $2 }' | sort) \
      <(git --git-dir="$gitdir" ls-tree -r "$commit" | awk '$2 == "blob" { print $3 }' |
        git --git-dir="$gitdir" cat-file --batch-check 2>/dev/null | awk '$2 == "missing" { print $1 }' | sort) | cut -f2)
  git --git-dir="$gitdir" archive "$commit" -- . "${skip[@]}" "${missing[@]}" | tar -x -C "$dest"
  echo "$commit" > "$dest/.commit"
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$here/RealCode.csproj" -c Release -nodeReuse:false -v:q -nologo
run() { dotnet run -c Release --no-build --project "$here/RealCode.csproj" -- "$@"; }
status=0
run noise "$work/src" --list "$here/projects.tsv" --out "$work/baseline.tsv" --timing --pgborrow-only npgsql > "$work/noise.md" || status=$?
run recall "$here/bugs.tsv" "$mirrors" --out "$work/recall.tsv" > "$work/recall.md" || status=$?
cat "$work/noise.md" "$work/recall.md"
exit $status
