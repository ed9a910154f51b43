#!/usr/bin/env bash
# writable_outputs_test.sh BIN_DIR SCRATCH
# Every program that writes checks at startup that it can write its outputs (cli::check_writable_folder
# and check_writable_file: the folder created where missing, a probe file created and removed), and
# fails with exit status 1 naming the flag and the path, before any work. Before, a read-only --out
# failed only after all the work (table1: after training every model). The read-only folder is a
# chmod 555 folder, or, for root (whom permissions do not stop), /proc/1, a folder no one can create
# files in.
set -uo pipefail
bin=$1 scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
expect=$here/../../tests/support/expect_exit.sh
rm -rf "$scratch" && mkdir -p "$scratch/ro"
chmod 555 "$scratch/ro"
ro=$scratch/ro
if touch "$ro/x" 2>/dev/null; then rm -f "$ro/x"; ro=/proc/1; fi
python3 "$here/../../tests/support/make_test_wavs.py" "$scratch/wav" || { echo "FAILED: cannot write the test clips"; exit 1; }
mkdir -p "$scratch/corpus/a" "$scratch/corpus/b"
for g in a b; do cp "$scratch/wav/good_a.wav" "$scratch/corpus/$g/1.wav"; cp "$scratch/wav/good_b.wav" "$scratch/corpus/$g/2.wav"; done
fail=0
t() {  # t NAME REGEX COMMAND...: exit status 1 and a line naming the flag and the read-only path
  echo "--- $1"
  local name=$1 regex=$2
  shift 2
  timeout 60 bash "$expect" 1 "$regex" -- "$@" || fail=1
}
w="cannot write '$ro.*': cannot create"
t table1 "table1: error: --out: $w" "$bin/table1" --folders "$scratch/corpus" --quick --models step_vae --out "$ro" --cache "$scratch/cache"
t table1_cache "--cache: $w" "$bin/table1" --folders "$scratch/corpus" --quick --models step_vae --out "$scratch/out" --cache "$ro/cache"
t extract_features "--cache: $w" "$bin/extract_features" --folders "$scratch/corpus" --cache "$ro/store"
t melspec "OUT: $w" "$bin/melspec" "$scratch/wav/good_a.wav" "$ro/x.npy"
t melspec_raw "--raw: $w" "$bin/melspec" "$scratch/wav/good_a.wav" --raw "$ro/x.npy"
# embed and predict check their outputs before reading the run: a folder that is no run still shows it.
t embed "--out: $w" "$bin/embed" --run "$scratch" --out "$ro/e" "$scratch/wav/good_a.wav"
t embed_csv "--csv: $w" "$bin/embed" --run "$scratch" --csv "$ro/e.csv" "$scratch/wav/good_a.wav"
t predict "--json: $w" "$bin/predict" --run "$scratch" --classifier "$scratch/wav/good_a.wav" --json "$ro/p.json" "$scratch/wav/good_a.wav"
# classify and tsne: a tiny data set as .npy (float32 features [6, 2], int64 labels [6]).
python3 - "$scratch" <<'PY'
import struct, sys
def npy(path, descr, shape, data):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data)
npy(f"{sys.argv[1]}/x.npy", "<f4", "(6, 2)", struct.pack("<12f", 0, 0, 0, 1, 1, 0, 5, 5, 5, 6, 6, 5))
npy(f"{sys.argv[1]}/y.npy", "<i8", "(6,)", struct.pack("<6q", 0, 0, 0, 1, 1, 1))
PY
if [ -x "$bin/classify" ]; then
  t classify_json "--json: $w" "$bin/classify" --model lr --train "$scratch/x.npy" "$scratch/y.npy" --test "$scratch/x.npy" "$scratch/y.npy" --json "$ro/c.json"
  t classify_save "--save: $w" "$bin/classify" --model lr --train "$scratch/x.npy" "$scratch/y.npy" --test "$scratch/x.npy" "$scratch/y.npy" --save "$ro/c.cls"
fi
[ -x "$bin/tsne" ] && t tsne "--out: $w" "$bin/tsne" "$scratch/x.npy" "$scratch/y.npy" --out "$ro/t.png" --perplexity 1
[ -x "$bin/mel_inversion" ] && t mel_inversion "--out: $w" "$bin/mel_inversion" "$scratch/wav/good_a.wav" --out "$ro/inv"
[ -x "$bin/make_style_corpus" ] && t make_style_corpus "OUT: $w" "$bin/make_style_corpus" "$ro/corpus"
exit $fail
