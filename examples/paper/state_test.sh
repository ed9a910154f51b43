#!/bin/bash
# Issue 34, item 5: state that is what it claims, tried as a hostile user would, against the built
# programs on a small generated corpus (2 genres x 6 clips of 3 s, so it needs no shared data):
#  1. a WAV rewritten with another clip of the same length (its modification time put back) is
#     extracted again, trained and embedded as another run, not served its old features, checkpoint
#     and embeddings;
#  2. a run with fewer --epochs in the same --out is a run of its own, not a resume of the longer one;
#  3. predict refuses (status 1, naming the file and both run keys) a classifier table1 fitted on
#     another run of the same model in the same --out (another seed), and a classifier with one
#     flipped byte;
#  4. the same settings again reuse the run and its embeddings, but embeddings edited on disk are
#     computed anew, not reused.
# Usage: state_test.sh TABLE1 PREDICT SCRATCH
set -u
table1=$1 predict=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
corpus=$scratch/corpus
# Each clip its own pitch and noise; "other" rewrites one with another pitch, the same length.
python3 - "$corpus" <<'PY'
import math, os, random, struct, sys, wave
root = sys.argv[1]
def clip(path, hz, seed, seconds=3.0, sr=22050):
    rng = random.Random(seed)
    n = int(seconds * sr)
    frames = b"".join(struct.pack("<h", int(32767 * max(-1.0, min(1.0,
        0.4 * math.sin(2 * math.pi * hz * i / sr) + 0.2 * math.sin(2 * math.pi * 2.5 * hz * i / sr) * (1 if (i // 2205) % 2 else 0)
        + 0.05 * (rng.random() * 2 - 1))))) for i in range(n))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(path, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(sr); w.writeframes(frames)
for g, base in (("low", 110.0), ("high", 880.0)):
    for k in range(6):
        clip(os.path.join(root, g, "clip%d.wav" % k), base * (1 + 0.07 * k), 100 * k + len(g))
clip(os.path.join(os.path.dirname(root), "other.wav"), 1234.0, 999)
PY
[ -f "$corpus/low/clip0.wav" ] || { echo "could not write the corpus"; exit 1; }
common=(--folders "$corpus" --quick --models step_vae --threads 2 --steps-per-epoch 8 --out "$scratch/out" --cache "$scratch/cache")
fail=0
runs() { ls "$scratch/out/runs" 2>/dev/null | sort; }
emb() { cat "$scratch"/out/embeddings/step_vae_{train,validation,test}_latents.npy | md5sum; }
table() {  # LOG ARGS...: table1, exit status 0 expected
  local log=$1; shift
  "$table1" "${common[@]}" "$@" > "$log" 2>&1 || { echo "table1 $* failed:"; tail -20 "$log"; exit 1; }
}

# 1. Same size, other content.
table "$scratch/1.log" --epochs 3
runs_1=$(runs) emb_1=$(emb)
victim=$(ls "$corpus"/low/*.wav | head -3 | tail -1)
size=$(stat -c %s "$victim")
cp "$scratch/other.wav" "$scratch/victim.tmp" && touch -r "$victim" "$scratch/victim.tmp"
cat "$scratch/victim.tmp" > "$victim" && touch -r "$scratch/victim.tmp" "$victim"
[ "$(stat -c %s "$victim")" = "$size" ] || { echo "the rewritten clip changed size"; exit 1; }
table "$scratch/2.log" --epochs 3
runs_2=$(runs) emb_2=$(emb)
grep -q "content changed since it was extracted" "$scratch/2.log" ||
  { echo "FAILED 1: no word that $victim changed"; fail=1; }
[ "$emb_1" != "$emb_2" ] || { echo "FAILED 1: the same embeddings after the audio changed (old features, checkpoint or embeddings served)"; fail=1; }
[ "$(comm -13 <(echo "$runs_1") <(echo "$runs_2") | wc -l)" = 1 ] ||
  { echo "FAILED 1: changed audio did not give a run directory of its own (runs: $(echo $runs_2))"; fail=1; }
grep -q "embeddings of this run found" "$scratch/2.log" && { echo "FAILED 1: embeddings of the old audio reused"; fail=1; }
long_run=$(comm -13 <(echo "$runs_1") <(echo "$runs_2") | head -1)

# 2. Fewer epochs: another run, trained from the start.
table "$scratch/3.log" --epochs 1
runs_3=$(runs)
short_run=$(comm -13 <(echo "$runs_2") <(echo "$runs_3") | head -1)
[ -n "$short_run" ] || { echo "FAILED 2: --epochs 1 used the --epochs 3 run's directory"; fail=1; }
grep -q "resuming from" "$scratch/3.log" && { echo "FAILED 2: --epochs 1 resumed another run: $(grep 'resuming from' "$scratch/3.log")"; fail=1; }
grep -q "embeddings of this run found" "$scratch/3.log" && { echo "FAILED 2: --epochs 1 reused the longer run's embeddings"; fail=1; }

# 3. Another seed into the same --out: OUT/classifiers now holds that run's classifiers.
table "$scratch/4.log" --epochs 1 --seed 7
seed7_run=$(runs | grep -- -seed7- | head -1)
seed2019_run=$(runs | grep -- -seed2019- | tail -1)
clip=$corpus/high/clip1.wav
expect() {  # STATUS PATTERN LABEL ARGS...
  local status=$1 pattern=$2 label=$3; shift 3
  local out rc
  out=$("$predict" "$@" 2>&1); rc=$?
  if [ "$rc" != "$status" ] || ! grep -Eq -- "$pattern" <<<"$out"; then
    echo "FAILED 3 ($label): expected status $status and '$pattern', got status $rc:"; echo "$out" | tail -5; fail=1
  fi
}
expect 0 "predict: 1 files" "the classifier of its own run" --run "$scratch/out/runs/$seed7_run" --classifier "$scratch/out/classifiers/step_vae_lr.cls" "$clip"
expect 1 "step_vae_lr.cls: fitted on another run.*expected run key.*seed 2019.*found.*seed 7" "another seed's classifier" \
  --run "$scratch/out/runs/$seed2019_run" --classifier "$scratch/out/classifiers/step_vae_lr.cls" "$clip"
for c in rf lr; do
  cp "$scratch/out/classifiers/step_vae_$c.cls" "$scratch/flipped_$c.cls"
  python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)*2//3]^=1; open(p,'wb').write(b)" "$scratch/flipped_$c.cls"
  expect 1 "flipped_$c.cls: .*checksum mismatch" "one flipped byte in the $c classifier" \
    --run "$scratch/out/runs/$seed7_run" --classifier "$scratch/flipped_$c.cls" "$clip"
done
# 4. The same settings again: the run and its embeddings are reused; embeddings edited on disk are not.
emb_4=$(emb)
table "$scratch/5.log" --epochs 1 --seed 7
grep -q "step_vae embeddings of this run found" "$scratch/5.log" || { echo "FAILED 4: identical settings did not reuse the run's embeddings"; fail=1; }
grep -q "resuming from .* after epoch 1" "$scratch/5.log" || { echo "FAILED 4: identical settings did not resume the finished run"; fail=1; }
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-5]^=0x40; open(p,'wb').write(b)" \
  "$scratch/out/embeddings/step_vae_test_latents.npy"
table "$scratch/6.log" --epochs 1 --seed 7
grep -q "were changed since this run wrote them" "$scratch/6.log" || { echo "FAILED 4: edited embeddings were not noticed"; fail=1; }
[ "$(emb)" = "$emb_4" ] || { echo "FAILED 4: the embeddings computed anew differ from the run's"; fail=1; }
[ $fail = 0 ] && echo "state is what it claims: ok"
exit $fail
