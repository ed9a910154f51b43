#!/usr/bin/env bash
# skipped_cases.sh BUILD_DIR [ALLOWED]
# Lists the tests CTest's last run in BUILD_DIR reported Skipped, each with the reason it printed
# ("skipped: REASON"). With ALLOWED (an extended regular expression), exits 1 when a reason does not
# match it: .ci/run allows only what its machine cannot provide (a GPU, a second MPI rank launched by
# the test itself), so a test skipped for want of ../shared/data, mma or fluidsynth fails CI.
set -uo pipefail
build=${1:?usage: skipped_cases.sh BUILD_DIR [ALLOWED]}
allowed=${2:-}
log=$build/Testing/Temporary/LastTest.log
if [ ! -f "$log" ]; then
  echo "skipped_cases: $log not found: run ctest in $build first" >&2
  exit 2
fi
# One line per skipped test: NAME<TAB>REASON (the first "skipped: " line of its output).
list=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^[0-9]+\/[0-9]+ Test: / { name = $0; sub(/^[0-9]+\/[0-9]+ Test: /, "", name); reason = ""; next }
  reason == "" && /skipped: / { reason = $0; sub(/.*skipped: /, "", reason) }
  /^Skip regular expression found in output/ { print name "\t" reason }')
count=0
[ -n "$list" ] && count=$(wc -l <<<"$list")
echo "skipped cases: $count"
fail=0
while IFS=$'\t' read -r name reason; do
  [ -z "$name" ] && continue
  mark=""
  if [ -n "$allowed" ] && ! grep -Eq -- "$allowed" <<<"$reason"; then
    mark="  <- this machine should run it"
    fail=1
  fi
  printf '  %s: %s%s\n' "$name" "$reason" "$mark"
done <<<"$list"
if ((fail)); then
  echo "skipped_cases: FAILED: a case skipped for a reason this machine can satisfy (allowed: $allowed)"
  exit 1
fi
exit 0
