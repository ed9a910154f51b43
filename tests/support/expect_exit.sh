#!/usr/bin/env bash
# expect_exit.sh STATUSES REGEX... -- COMMAND [ARG...]
# Runs COMMAND and passes when it exits with one of STATUSES (comma-separated, e.g. 2 or 1,2) AND its
# output (stdout and stderr together) matches every extended regular expression REGEX. CTest's
# PASS_REGULAR_EXPRESSION alone ignores the exit status, so a program that printed the right message
# and then crashed, or exited 0, would pass; this checks both and says which one failed. Several
# REGEXes check several lines, e.g. one from each MPI rank.
set -uo pipefail
usage() { echo "usage: expect_exit.sh STATUSES REGEX... -- COMMAND [ARG...]" >&2; exit 2; }
(($# >= 4)) || usage
statuses=$1
shift
regexes=()
while (($#)) && [ "$1" != "--" ]; do
  regexes+=("$1")
  shift
done
(($# >= 2)) && ((${#regexes[@]})) || usage
shift
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
fail=0
if [[ ",$statuses," != *",$status,"* ]]; then
  echo "expect_exit: FAILED: exit status $status, expected $statuses: $*"
  fail=1
fi
for r in "${regexes[@]}"; do
  if ! grep -Eq -- "$r" <<<"$out"; then
    echo "expect_exit: FAILED: no line of the output matches '$r': $*"
    fail=1
  fi
done
((fail)) && exit 1
echo "expect_exit: ok (status $status, ${#regexes[@]} pattern(s) matched)"
exit 0
