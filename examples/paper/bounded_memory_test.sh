#!/usr/bin/env bash
# bounded_memory_test.sh EXTRACT_FEATURES SCRATCH
# The feature store's decode step keeps only max_seconds of a track (decoded and resampled in blocks by
# audio::stream_reader; the rest decoded without being kept): extract_features --max-seconds 30 on a
# 20-minute 44.1 kHz WAV (106 MB) must succeed under `ulimit -v 150000` (150 MB of address space, the
# program itself included). Before, the whole file was decoded (211 MB of floats) and resampled in one
# piece: the track failed with std::bad_alloc (a 3.5-hour file peaked at 6.3 GB resident, 19 MB now).
set -uo pipefail
extract=$1 scratch=$2
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
rm -f "$scratch/corpus/long/20min.wav"
if [ $status -ne 0 ] || ! grep -q "2 tracks usable .* 0 failed" <<<"$out"; then
  echo "FAILED: extract_features under ulimit -v 150000: status $status, expected 0 and both tracks usable"
  exit 1
fi
echo "ok: a 20-minute file extracted in 150 MB of address space"
