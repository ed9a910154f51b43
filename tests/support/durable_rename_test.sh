#!/usr/bin/env bash
# durable_rename_test.sh EXAMPLES_DIR SCRATCH TEST_FILES   (TEST_FILES: the cantus_test_files program)
# Every rename that publishes a file is followed by an fsync of the directory holding the new name
# (cantus::publish_file): without it a power cut after the rename can bring the old file back. Runs
# melspec (an .npy through write_file_atomically), mel_inversion (a WAV through audio::write_wav) and
# extract_features (the feature store's data files and index) under strace and checks, for each file
# renamed into place, that an fsync of its directory comes after the rename. Exit 77 (Skipped) where
# strace is missing or cannot trace (a container without ptrace).
set -uo pipefail
bin=$1 scratch=$2 test_files=$3
command -v strace >/dev/null || { echo "skipped: strace not found"; exit 77; }
strace -f -o /dev/null true 2>/dev/null || { echo "skipped: strace cannot trace here"; exit 77; }
# LeakSanitizer cannot run under ptrace (it stops the process the way strace does): in a sanitizer
# build the traced programs run without leak checks, which the other tests of the same programs make.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
rm -rf "$scratch" && mkdir -p "$scratch/in/a" "$scratch/in/b" "$scratch/out"
scratch=$(cd "$scratch" && pwd -P)
# Two one-second clips per genre folder (16-bit mono WAV, 22050 Hz): 440 and 450 Hz in a, 660 and 670 Hz in b.
for gf in a:440 b:660; do
  g=${gf%%:*} f0=${gf#*:}
  for k in 0 1; do
    "$test_files" tone "$scratch/in/$g/$g$k.wav" 1 $((f0 + 10 * k)) || { echo "FAILED: cannot write the test clips"; exit 1; }
  done
done
fail=0
# check NAME LOG TARGET...: each TARGET (a path) was renamed into place, and its directory fsynced after.
check() {
  local name=$1 log=$2
  shift 2
  for target in "$@"; do
    local dir line_rename line_sync
    dir=$(dirname "$target")
    line_rename=$(grep -nE "rename(at2?)?\(.*\"$target\"" "$log" | tail -1 | cut -d: -f1)
    if [ -z "$line_rename" ]; then
      echo "FAILED: $name: no rename into $target"; fail=1; continue
    fi
    line_sync=$(awk -v from="$line_rename" -v dir="$dir" 'NR > from && index($0, "fsync(") && index($0, "<" dir ">)") { print NR; exit }' "$log")
    if [ -z "$line_sync" ]; then
      echo "FAILED: $name: $target renamed into place (line $line_rename of $log), its directory $dir never fsynced after"; fail=1
    else
      echo "ok: $name: $target renamed, $dir fsynced after it"
    fi
  done
}
trace() { strace -f -y -qq -e trace=rename,renameat,renameat2,fsync -o "$1" "${@:2}" >/dev/null 2>"$1.stderr" || { echo "FAILED: ${*:2} exited $?"; cat "$1.stderr"; fail=1; }; }
trace "$scratch/melspec.log" "$bin/melspec" "$scratch/in/a/a0.wav" "$scratch/out/a0.npy"
check melspec "$scratch/melspec.log" "$scratch/out/a0.npy"
trace "$scratch/inversion.log" "$bin/mel_inversion" "$scratch/in/a/a1.wav" --seconds 1 --n-iter 2 --out "$scratch/out"
check mel_inversion "$scratch/inversion.log" "$scratch/out/a1.inverted.wav"
trace "$scratch/extract.log" "$bin/extract_features" --folders "$scratch/in" --cache "$scratch/store" --threads 1
check extract_features "$scratch/extract.log" "$scratch/store/mel.f32" "$scratch/store/index.tsv"
exit $fail
