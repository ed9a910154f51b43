#!/bin/bash
# Issue 22, item 2: two corpora into one --out. The second run must train and embed anew (its run
# directory carries the corpus's fingerprint) and say that the embeddings it found are another run's.
# Usage: two_corpora_test.sh TABLE1 SHARED_DATA SCRATCH
set -u
table1=$1 data=$2 scratch=$3
if [ ! -d "$data/fma-gtzan" ] || [ ! -d "$data/gtzan-mini" ]; then
  echo "skipped: ../shared/data not found"
  exit 77  # CTest: SKIP_RETURN_CODE
fi
rm -rf "$scratch" && mkdir -p "$scratch"
common=(--quick --models step_vae --threads 2 --out "$scratch/out" --cache "$scratch/cache")
"$table1" --fma "$data/fma-gtzan" "${common[@]}" > "$scratch/a.log" 2>&1 || { cat "$scratch/a.log"; exit 1; }
"$table1" --folders "$data/gtzan-mini" "${common[@]}" > "$scratch/b.log" 2>&1 || { cat "$scratch/b.log"; exit 1; }
fail=0
grep -q "belong to another run" "$scratch/b.log" || { echo "second corpus: no word about the first corpus's embeddings"; fail=1; }
grep -q "reused" <(grep "embeddings" "$scratch/b.log" | grep -v "feature store") && { echo "second corpus reused the first's embeddings"; fail=1; }
runs=$(ls "$scratch/out/runs" | wc -l)
[ "$runs" = 2 ] || { echo "expected two run directories, found $runs"; fail=1; }
[ $fail = 0 ] && echo "two corpora, two runs: ok"
exit $fail
