#!/usr/bin/env bash
# config_test.sh TABLE1 SCRATCH [EMBED]
# --config FILE is checked as the flags are (paper::setting, examples/paper/settings.hpp): each bad
# value is refused before any work with exit status 2 and the flag's words, named "FILE: key"; unknown,
# repeated and missing keys, and values of the wrong JSON type, are refused naming the file and key.
# Before, threads 100000 ended in SIGSEGV in libgomp, a seed of -1 wrapped, a learning rate of 0 or a
# model named twice went through, unknown and repeated keys passed, a missing key showed the JSON
# library's own text.
set -uo pipefail
table1=$1 scratch=$2 embed=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
expect=$here/../../tests/support/expect_exit.sh
rm -rf "$scratch" && mkdir -p "$scratch"
fail=0
# config: a valid run configuration; SEED, THREADS, BACKEND, MODELS, TRAINING replace its parts.
training='{"step_vae": {"epochs": 1, "steps_per_epoch": 2, "patience": 0, "train_windows": "all", "embed_windows": 4,
  "batch_size": 8, "learning_rate": 0.001, "lr_schedule": "constant", "clip_norm": 0, "validation_batches": "all"}}'
config() {
  cat <<JSON
{"cantus_run_config": 1, "written_by": "table1", "fma": "", "folders": "", "preset": "quick", ${SEED-\"seed\": 7,}
 "threads": ${THREADS-1}, "min_decoded_share": 0.9, "backend": ${BACKEND-\"cpu\"}, "models": ${MODELS-[\"step_vae\"]},
 "pooling": "mean", "vae_capacity": null, "vae_gamma": null, "vae_anneal_steps": null, "training": ${TRAINING-$training}}
JSON
}
check() {  # check NAME REGEX FILE-CONTENT: table1 --config FILE exits 2 with a line matching REGEX
  printf '%s\n' "$3" >"$scratch/$1.json"
  echo "--- $1"
  bash "$expect" 2 "$2" -- "$table1" --config "$scratch/$1.json" --out "$scratch/out" --cache "$scratch/cache" || fail=1
}
check threads "--config: .*threads.json: threads: expected 1 to 1024 threads, found '100000'" "$(THREADS=100000 config)"
check threads_zero "threads: expected 1 to 1024 threads, found '0'" "$(THREADS=0 config)"
check seed_negative "seed: expected an integer from 0 to 18446744073709551615, found '-1'" "$(SEED='"seed": -1,' config)"
check seed_text "seed: expected a number, found '\"7\"'" "$(SEED='"seed": "7",' config)"
check backend "backend: expected one of cpu\|cuda, found 'gpu'" "$(BACKEND='"gpu"' config)"
check models_unknown "models: expected a model name .*found 'foo'" "$(MODELS='["foo"]' config)"
check models_twice "models: expected each model once, found 'step_vae,step_vae'" "$(MODELS='["step_vae", "step_vae"]' config)"
check lr_zero "training.step_vae.learning_rate: expected a learning rate > 0, found '0'" "$(TRAINING=${training/0.001/0} config)"
check lr_text "training.step_vae.learning_rate: expected a number or \"model\", found '\"fast\"'" "$(TRAINING=${training/0.001/\"fast\"} config)"
check unknown_key "unknown_key.json: thread: unknown key" "$(SEED='"seed": 7, "thread": 4,' config)"
check unknown_plan_key "training.step_vae.epoch: unknown key" "$(TRAINING=${training/\"patience\"/\"epoch\": 1, \"patience\"} config)"
check repeated_key "repeated_key.json: key 'seed' given twice" "$(SEED='"seed": 7, "seed": 8,' config)"
check repeated_plan_key "key 'training.step_vae.epochs' given twice" "$(TRAINING=${training/\"patience\"/\"epochs\": 3, \"patience\"} config)"
check missing_key "missing_key.json: seed: missing" "$(SEED='' config)"
check missing_plan_key "training.step_vae.clip_norm: missing" "$(TRAINING=${training/\"clip_norm\": 0, /} config)"
check not_json "not_json.json: not valid JSON" '{"cantus_run_config": 1,'
# The valid file itself is taken: the run gets past the settings (it stops at the corpus folder given).
printf '%s\n' "$(config)" >"$scratch/valid.json"
echo "--- valid"
bash "$expect" 2 "--fma: expected an existing folder" -- "$table1" --config "$scratch/valid.json" --fma "$scratch/no-such-corpus" \
  --out "$scratch/out" --cache "$scratch/cache" || fail=1
# A run's model card (model.json, read by embed and predict) is held to the same rules: a key given
# twice and a negative seed are refused naming the file (the seed was wrapped into another one).
if [ -n "$embed" ]; then
  mkdir -p "$scratch/run-twice" "$scratch/run-seed"
  echo '{"cantus_model_card": 1, "model": "step_vae", "model": "wavenet"}' >"$scratch/run-twice/model.json"
  echo '{"cantus_model_card": 1, "model": "step_vae", "preset": "quick", "seed": -1}' >"$scratch/run-seed/model.json"
  echo "--- model card, repeated key"
  bash "$expect" 1 "run-twice/model.json: key 'model' given twice" -- "$embed" --run "$scratch/run-twice" --out "$scratch/e" "$here/CMakeLists.txt" || fail=1
  echo "--- model card, negative seed"
  bash "$expect" 1 "run-seed/model.json: seed: expected an integer from 0 to 18446744073709551615, found '-1'" \
    -- "$embed" --run "$scratch/run-seed" --out "$scratch/e" "$here/CMakeLists.txt" || fail=1
fi
exit $fail
