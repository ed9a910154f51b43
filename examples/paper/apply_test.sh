#!/bin/bash
# End to end: table1 trains the step-VAE on the FMA-shaped GTZAN corpus of ../shared/data, then the
# programs that apply a trained run must agree with what table1 wrote:
#   embed      the latents of two test tracks, byte for byte the rows of table1's test embeddings
#   predict    over every test track, the accuracy table1 reports for the same classifier (lr and rf)
#   traversal  on the same --out (reads the run): its table, figure and audio
# Usage: apply_test.sh BIN_DIR SHARED_DATA SCRATCH   (BIN_DIR holds table1, embed, predict, traversal)
set -u
bin=$1 data=$2/fma-gtzan scratch=$3
if [ ! -d "$data/fma_small" ]; then
  echo "skipped: ../shared/data not found"
  exit 77  # CTest: SKIP_RETURN_CODE
fi
rm -rf "$scratch" && mkdir -p "$scratch"
out=$scratch/out
common=(--fma "$data" --quick --models step_vae --threads 2 --out "$out" --cache "$scratch/cache")
fail=0
bad() { echo "FAIL: $*"; fail=1; }
run() {  # run NAME CMD...: the command must exit 0; its output goes to SCRATCH/NAME.log
  local name=$1
  shift
  "$@" > "$scratch/$name.log" 2>&1 || { cat "$scratch/$name.log"; echo "FAIL: $name exited with $?"; exit 1; }
}

run table1 "$bin/table1" "${common[@]}"
emb=$out/embeddings
rundir=$(ls -d "$out"/runs/step_vae-quick-* | head -1)
[ -f "$rundir/model.json" ] || { echo "FAIL: no run directory with a model card under $out/runs"; exit 1; }

# .npy: magic (6), version (2), header length (2, little endian), header text, then the data.
npy_offset() { echo $((10 + $(od -An -tu2 -j8 -N2 "$1" | tr -d ' '))); }
npy_shape() { head -c 200 "$1" | tr -d '\0' | grep -ao "'shape': ([0-9, ]*)" | head -1; }
ids_file=$emb/step_vae_test_track_ids.npy
lat_file=$emb/step_vae_test_latents.npy
n=$(npy_shape "$ids_file" | grep -o '[0-9]\+' | head -1)
dim=$(npy_shape "$lat_file" | grep -o '[0-9]\+' | sed -n 2p)
[ -n "$n" ] && [ "$n" -ge 2 ] && [ -n "$dim" ] || { echo "FAIL: table1's test embeddings: $(npy_shape "$ids_file"), $(npy_shape "$lat_file")"; exit 1; }
grep -q "'descr': '<f4'" <(head -c 200 "$lat_file" | tr -d '\0') || bad "table1's latents are not float32"
mapfile -t ids < <(tail -c +$(($(npy_offset "$ids_file") + 1)) "$ids_file" | od -An -v -td8 | tr -s ' ' '\n' | grep -v '^$')
[ "${#ids[@]}" = "$n" ] || bad "read ${#ids[@]} test track ids, the header says $n"
files=()
for id in "${ids[@]}"; do files+=("$data/fma_small/$(printf '%03d/%06d' $((id / 1000)) "$id").mp3"); done

# embed: the first two test tracks, whose rows must equal table1's rows 0 and 1.
run embed "$bin/embed" --run "$rundir" --out "$scratch/e" "${files[0]}" "${files[1]}"
[ "$(npy_shape "$scratch/e.npy")" = "'shape': (2, $dim)" ] || bad "embed wrote $(npy_shape "$scratch/e.npy"), expected (2, $dim)"
[ "$(sed -n 2p "$scratch/e.txt")" = "${files[1]}" ] || bad "embed's row names: $(tr '\n' ' ' < "$scratch/e.txt")"
bytes=$((2 * dim * 4))
if ! cmp -s <(tail -c +$(($(npy_offset "$scratch/e.npy") + 1)) "$scratch/e.npy") \
            <(tail -c +$(($(npy_offset "$lat_file") + 1)) "$lat_file" | head -c "$bytes"); then
  bad "embed's latents of test tracks ${ids[0]} and ${ids[1]} differ from table1's"
fi

# embed applies the feature store's decode checks with its message (audio/decode_check.hpp): a WAV whose
# header declares 8 s and which holds 2 s, and a one-sample WAV, are refused (exit status 1, the other
# files embedded); a file name holding a line break is escaped in the name list, so that line i still
# names row i. Before, both WAVs were embedded and the name took two lines.
python3 "$(dirname "$0")/../../tests/support/make_test_wavs.py" "$scratch/wav" || bad "cannot write the test WAVs"
weird="$scratch/wav/new
line.mp3"
cp "${files[0]}" "$weird"
bash "$(dirname "$0")/../../tests/support/expect_exit.sh" 1 \
  "truncated.wav': decoded 2 s of the 8 s its header declares \(25 %\), less than the required 90 %" \
  "one_sample.wav': decoded 1 samples .*fewer than the [0-9]+ samples of one analysis window" \
  -- "$bin/embed" --run "$rundir" --out "$scratch/w" "$scratch/wav/truncated.wav" "$weird" "$scratch/wav/one_sample.wav" "${files[1]}" ||
  bad "embed: the truncated and one-sample WAVs"
[ "$(npy_shape "$scratch/w.npy")" = "'shape': (2, $dim)" ] || bad "embed wrote $(npy_shape "$scratch/w.npy") for two good files"
[ "$(wc -l < "$scratch/w.txt")" = 2 ] && [ "$(head -1 "$scratch/w.txt")" = "$scratch/wav/new\\nline.mp3" ] &&
  [ "$(sed -n 2p "$scratch/w.txt")" = "${files[1]}" ] || bad "embed's name list with a line break in a name: $(cat -A "$scratch/w.txt")"

# predict: every test track with each classifier table1 saved; the accuracy table1 reported.
for c in lr rf; do
  run "predict_$c" "$bin/predict" --run "$rundir" --classifier "$out/classifiers/step_vae_$c.cls" --json "$scratch/p_$c.json" "${files[@]}"
  got=$(grep -o '"accuracy": [0-9.e+-]*' "$scratch/p_$c.json" | grep -o '[0-9.e+-]*$')
  labelled=$(grep -o '"labelled": [0-9]*' "$scratch/p_$c.json" | grep -o '[0-9]*$')
  want=$(tr -d ' \n' < "$out/results.json" | grep -o "{\"model\":\"step_vae\",\"classifier\":\"$c\"[^}]*" | grep -o '"test_accuracy":[0-9.e+-]*' | cut -d: -f2)
  [ "$labelled" = "$n" ] || bad "predict ($c) labelled $labelled of the $n test tracks"
  [ -n "$want" ] && [ -n "$got" ] && awk -v a="$got" -v b="$want" 'BEGIN { exit !(a - b < 1e-5 && b - a < 1e-5) }' ||
    bad "predict ($c): accuracy '$got' over the test tracks, table1 reports '$want'"
  # each file's probabilities: in [0, 1], best first
  awk -v c="$c" 'match($0, /"top": \[.*\]/) {
      s = substr($0, RSTART, RLENGTH); prev = 2
      while (match(s, /"probability": [0-9.e+-]+/)) {
        p = substr(s, RSTART + 15, RLENGTH - 15) + 0; s = substr(s, RSTART + RLENGTH)
        if (p < 0 || p > 1 || p > prev) { print "FAIL: predict (" c "): probabilities out of order or range: " $0; bad = 1 }
        prev = p }
    } END { exit bad }' "$scratch/p_$c.json" || fail=1
done

# traversal on the same --out: reads the trained run, writes its table, grid and audio.
run traversal "$bin/traversal" "${common[@]}"
tdir=$out/traversal
rows=$(grep -c '^| [0-9]* | ' "$tdir/traversal.md")
[ "$rows" -ge 1 ] && [ "$rows" -le 6 ] || bad "traversal.md has $rows dimension rows, expected 1 to 6"
if [ -f "$tdir/traversal.png" ]; then
  [ "$(head -c 8 "$tdir/traversal.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || bad "traversal.png is not a PNG"
fi
for w in clip reconstruction; do
  [ "$(head -c 4 "$tdir/$w.wav")" = "RIFF" ] || bad "$w.wav is not a WAV file"
done

[ $fail = 0 ] && echo "table1, embed, predict, traversal agree: ok"
exit $fail
