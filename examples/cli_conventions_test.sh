#!/usr/bin/env bash
# The example programs' command-line convention (examples/common/cli.hpp), checked from outside:
# exit 0 on success and --help, 1 on a data or runtime error, 2 on a usage error, each message on
# stderr naming the flag or file. Every case runs with a time limit, so a program that starts work
# instead of refusing its arguments fails the case rather than hanging the test.
#   cli_conventions_test.sh BIN_DIR SCRATCH_DIR
set -u
bin=$1
scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch"

# A WAV of SECONDS seconds of silence (16-bit mono, 22050 Hz), written without any audio tool.
le16() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))"; }
le32() { le16 $(($1 & 65535)); le16 $((($1 >> 16) & 65535)); }
write_wav() {
  local bytes=$((22050 * 2 * $2))
  { printf 'RIFF'; le32 $((36 + bytes)); printf 'WAVEfmt '; le32 16; le16 1; le16 1; le32 22050; le32 44100; le16 2; le16 16
    printf 'data'; le32 $bytes; head -c $bytes /dev/zero; } >"$1"
}

# An FMA-layout corpus of two genres (10 s clips, the least an FMA track may hold) whose tracks.csv puts tracks in training and validation only:
# its test split is empty. A copy with two test tracks more is usable.
make_fma() {  # ROOT WITH_TEST
  local root=$1 id
  mkdir -p "$root/fma_metadata" "$root/fma_small/000"
  { echo ",set,set,track"; echo ",split,subset,genre_top"; echo "track_id,,,"
    for id in 1 2 3; do echo "$id,training,small,Rock"; done; echo "4,validation,small,Rock"
    for id in 5 6 7; do echo "$id,training,small,Pop"; done; echo "8,validation,small,Pop"
    if [ "$2" = yes ]; then echo "9,test,small,Rock"; echo "10,test,small,Pop"; fi; } >"$root/fma_metadata/tracks.csv"
  for id in 1 2 3 4 5 6 7 8 9 10; do write_wav "$root/fma_small/000/$(printf %06d $id).wav" 10; done
}
no_test=$scratch/no-test-split
with_test=$scratch/with-test-split
make_fma "$no_test" no
make_fma "$with_test" yes
write_wav "$scratch/clip.wav" 1

failures=0
cases=0
# expect STATUS REGEX PROGRAM ARGS...: the exit status and a pattern the output (stderr + stdout) must hold.
expect() {
  local want=$1 pattern=$2 prog=$3
  shift 3
  cases=$((cases + 1))
  local out status
  out=$(cd "$scratch" && timeout 60 "$bin/$prog" "$@" 2>&1)
  status=$?
  if [ "$status" != "$want" ] || ! grep -Eq -- "$pattern" <<<"$out"; then
    failures=$((failures + 1))
    echo "FAIL: $prog $* -> status $status (expected $want), output:"
    sed 's/^/    /' <<<"$out" | head -5
    echo "    (expected the output to match: $pattern)"
  fi
}

# Usage errors: 2, with the flag and what was found.
expect 2 "unknown argument '--bogus'" table1 --bogus
expect 2 "unknown argument '--bogus'" classify --bogus
expect 2 "unknown argument '--bogus'" tsne --bogus
expect 2 "--threads: expected .*found 'abc'" table2 --threads abc
expect 2 "--threads: expected 1 to 1024 threads, found '100000'" table1 --threads 100000
expect 2 "--threads: expected 1 to 1024 threads, found '100000'" classify --threads 100000
expect 2 "--threads: expected 1 to 1024 threads, found '100000'" tsne --threads 100000
expect 2 "--threads: expected 0 \\(every core\\) or 1 to 1024 threads, found '100000'" melspec "$scratch/clip.wav" out.npy --threads 100000
expect 2 "--threads: expected 0 \\(every core\\) or 1 to 1024 threads, found '-1'" dataset_summary --folders "$scratch" --threads -1
# Seeds: refused out of range, never wrapped (-1) or saturated (2^64).
expect 2 "--seed: expected .*found '18446744073709551616'" table1 --seed 18446744073709551616 --out out --cache cache
expect 2 "--seed: expected .*found '-1'" dataset_summary --folders "$scratch" --seed -1
expect 2 "--seed: expected .*found '99999999999999999999'" dataset_summary --folders "$scratch" --seed 99999999999999999999
# Missing required flags and arguments.
expect 2 "--train is required" classify --test "$scratch/clip.wav" "$scratch/clip.wav" --model rf
expect 2 "--run is required" embed --out e "$scratch/clip.wav"
expect 2 "--cache is required" extract_features --folders "$scratch"
expect 2 "exactly 1 option from \\[--fma,--folders\\]|Exactly 1 option from \\[--fma,--folders\\]" dataset_summary
expect 2 "(--fma and --folders|--folders and --fma) exclude each other" dataset_summary --fma "$no_test" --folders "$scratch"
# Files and folders named by a flag must exist, checked before any work.
expect 2 "--paper: expected an existing file, found '/nonexistent/paper.csv'" table1 --paper /nonexistent/paper.csv --folders "$no_test" --out out --cache cache
expect 2 "--fma: expected an existing folder, found '/nonexistent'" table1 --fma /nonexistent --out out --cache cache
expect 2 "--classifier: expected an existing file, found '/nonexistent.cls'" predict --run "$scratch" --classifier /nonexistent.cls "$scratch/clip.wav"
# --models: an empty list and an unknown model are refused before the corpus is even read.
expect 2 "--models: expected a comma-separated list of models.*found ''" table1 --models "" --folders "$no_test" --out out --cache cache
expect 2 "--models: expected a model name.*found 'foo'" table1 --models step_vae,foo --folders "$no_test" --out out --cache cache
expect 2 "--cv: expected 0 \\(none\\) or 2 to 100 folds, found '1'" table1 --cv 1
# A missing audio file is named as missing (not as something libsndfile cannot read).
expect 2 "'$scratch/missing.wav': no such file" melspec "$scratch/missing.wav" out.npy
expect 2 "'$scratch/missing.wav': no such file" embed --run "$scratch" --out e "$scratch/missing.wav"
expect 2 "'$scratch/missing.wav': no such file" mel_inversion "$scratch/missing.wav"
# --help: 0, the options on stdout.
expect 0 "--threads" table1 --help
expect 0 "--train" classify --help
expect 0 "--hop-length" melspec --help
expect 0 "--cache" extract_features --help
# Data errors: 1, naming the corpus and what is wrong with it.
expect 1 "no-test-split.* is not usable: the test split has no usable track" dataset_summary --fma "$no_test"
expect 0 "usable: 10 tracks" dataset_summary --fma "$with_test"
expect 1 "model.json: no model card" embed --run "$scratch" --out e "$scratch/clip.wav"

echo "cli conventions: $cases cases, $failures failed"
if [ "$failures" != 0 ]; then exit 1; fi
echo "cli conventions: ok"
