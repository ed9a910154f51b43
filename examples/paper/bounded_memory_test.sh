#!/usr/bin/env bash
# bounded_memory_test.sh EXTRACT_FEATURES SCRATCH [DATASET_SUMMARY]
# The feature store's decode step keeps only max_seconds of a track (decoded and resampled in blocks by
# audio::stream_reader; the rest decoded without being kept): extract_features --max-seconds 30 on a
# 20-minute 44.1 kHz WAV (106 MB) must succeed under `ulimit -v 150000` (150 MB of address space, the
# program itself included). Before, the whole file was decoded (211 MB of floats) and resampled in one
# piece: the track failed with std::bad_alloc (a 3.5-hour file peaked at 6.3 GB resident, 19 MB now).
# dataset_summary --decode checks every file in blocks too (it decoded each whole: 4.2 GB for that file).
set -uo pipefail
extract=$1 scratch=$2 summary=${3:-}
# AddressSanitizer reserves terabytes of shadow address space: ulimit -v cannot bound such a build.
if ldd "$extract" 2>/dev/null | grep -q libasan; then echo "skipped: ulimit -v cannot bound an AddressSanitizer build"; exit 77; fi
rm -rf "$scratch" && mkdir -p "$scratch/corpus/long" "$scratch/corpus/short"
python3 - "$scratch/corpus" <<'PY' || { echo "FAILED: cannot write the test WAVs"; exit 1; }
import math, struct, sys, wave
second = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 441 * i / 44100))) for i in range(44100))
for path, seconds in ((f"{sys.argv[1]}/long/20min.wav", 1200), (f"{sys.argv[1]}/short/2s.wav", 2)):
    with wave.open(path, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(44100)
        for _ in range(seconds):
            w.writeframes(second)
PY
out=$( (ulimit -v 150000; "$extract" --folders "$scratch/corpus" --cache "$scratch/cache" --max-seconds 30 --threads 1) 2>&1)
status=$?
printf '%s\n' "$out"
fail=0
if [ $status -ne 0 ] || ! grep -q "2 tracks usable .* 0 failed" <<<"$out"; then
  echo "FAILED: extract_features under ulimit -v 150000: status $status, expected 0 and both tracks usable"
  fail=1
else
  echo "ok: a 20-minute file extracted in 150 MB of address space"
fi
if [ -n "$summary" ]; then
  out=$( (ulimit -v 150000; "$summary" --folders "$scratch/corpus" --decode --threads 1) 2>&1)
  printf '%s\n' "$out"
  if ! grep -q "^0 problem(s)" <<<"$out"; then
    echo "FAILED: dataset_summary --decode under ulimit -v 150000 found problems (the 20-minute file is whole)"
    fail=1
  else
    echo "ok: dataset_summary --decode checked the 20-minute file in 150 MB of address space"
  fi
fi
rm -f "$scratch/corpus/long/20min.wav"
exit $fail
