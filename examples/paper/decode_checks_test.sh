#!/usr/bin/env bash
# decode_checks_test.sh BIN_DIR SCRATCH
# Every reader of audio applies the same decode checks (include/cantus/audio/decode_check.hpp) with
# the same message: melspec (audio::load) and extract_features (the feature store, which decodes in
# blocks with audio::stream_reader) refuse a WAV whose header declares 8 s and which holds 2 s
# ("decoded 2 s of the 8 s its header declares (25 %), less than the required 90 %"). Before, libsndfile
# clamped the truncated WAV's length and both took it as whole: melspec exited 0 and extract_features
# stored it as a good track; dataset_summary's header-only check names it too. (embed and predict read through the same stream_reader:
# paper_apply_end_to_end checks them on a trained run.) A symbolic link loop in a folders corpus is
# skipped with a warning naming it; before, the load ended with std::filesystem's own text.
set -uo pipefail
bin=$1 scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
expect=$here/../../tests/support/expect_exit.sh
rm -rf "$scratch" && mkdir -p "$scratch"
python3 "$here/../../tests/support/make_test_wavs.py" "$scratch/wav" || { echo "FAILED: cannot write the test clips"; exit 1; }
fail=0
truncated="truncated.wav': decoded 2 s of the 8 s its header declares \(25 %\), less than the required 90 %"
echo "--- melspec, truncated WAV"
bash "$expect" 1 "$truncated" -- "$bin/melspec" "$scratch/wav/truncated.wav" "$scratch/t.npy" || fail=1
echo "--- melspec, whole WAV"
bash "$expect" 0 "." -- "$bin/melspec" "$scratch/wav/long.wav" "$scratch/l.npy" || fail=1
# A folders corpus: two good clips per genre, a truncated one, and a symbolic link that points at itself.
mkdir -p "$scratch/corpus/a" "$scratch/corpus/b"
cp "$scratch/wav/good_a.wav" "$scratch/corpus/a/1.wav"
cp "$scratch/wav/good_b.wav" "$scratch/corpus/a/2.wav"
cp "$scratch/wav/good_a.wav" "$scratch/corpus/b/1.wav"
cp "$scratch/wav/good_b.wav" "$scratch/corpus/b/2.wav"
cp "$scratch/wav/truncated.wav" "$scratch/corpus/b/3.wav"
ln -s loop.wav "$scratch/corpus/a/loop.wav"
echo "--- extract_features, folders corpus with a truncated WAV and a link loop"
bash "$expect" 0 "4 tracks usable .*1 failed" "b/3.wav': decoded 2 s of the 8 s its header declares \(25 %\), less than the required 90 %" \
  "a/loop.wav.*cannot be read \(.*symbolic links.*\), skipped" \
  -- "$bin/extract_features" --folders "$scratch/corpus" --cache "$scratch/cache" --threads 1 || fail=1
# dataset_summary reads only headers by default: the truncated WAV is still named, with the same words.
if [ -x "$bin/dataset_summary" ]; then
  echo "--- dataset_summary (headers only), the same corpus"
  bash "$expect" 0,1 "b/3.wav': decoded 2 s of the 8 s its header declares \(25 %\)" -- "$bin/dataset_summary" --folders "$scratch/corpus" || fail=1
fi
exit $fail
