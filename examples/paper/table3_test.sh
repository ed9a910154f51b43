#!/bin/bash
# End to end: table3 --quick on the embedded style corpus with factors independent of genre (rendered
# with mma + fluidsynth on first use), for the step-VAE and the hand-made log-mel statistics. Checks
# what table3.json holds, not only that it exists: both rows, one value per factor in every per-factor
# list, every score in [0, 1], chance levels in (0, 1), and table3.md's rows.
# Usage: table3_test.sh TABLE3 SCRATCH
set -u
table3=$1 scratch=$2
for tool in mma fluidsynth; do
  if ! command -v "$tool" > /dev/null; then
    echo "skipped: mma, fluidsynth or a General MIDI soundfont is missing ($tool not found)"
    exit 77  # CTest: SKIP_RETURN_CODE
  fi
done
rm -rf "$scratch" && mkdir -p "$scratch"
"$table3" --quick --models step_vae --threads 2 --out "$scratch/out" --cache "$scratch/cache" > "$scratch/table3.log" 2>&1 ||
  { cat "$scratch/table3.log"; echo "FAIL: table3 exited with $?"; exit 1; }
json=$scratch/out/table3.json md=$scratch/out/table3.md
fail=0
bad() { echo "FAIL: $*"; fail=1; }
flat=$(tr -d ' \n' < "$json")
nf=$(grep -o '"factors":\[[^]]*\]' <<<"$flat" | tr ',' '\n' | grep -c '"')
[ "$nf" -ge 2 ] || bad "table3.json names $nf factors"
# a JSON list's numbers, one per line
numbers() { tr ',' '\n' <<<"$1" | grep -o '[-0-9.e+]*' | grep -v '^$'; }
in_unit() { awk '{ if (!($1 >= 0 && $1 <= 1)) { print "  out of [0, 1]: " $1; bad = 1 } } END { exit bad }'; }
chance=$(grep -o '"chance":\[[^]]*\]' <<<"$flat")
[ "$(numbers "${chance#*:}" | wc -l)" = "$nf" ] || bad "chance: not one value per factor: $chance"
numbers "${chance#*:}" | awk '{ if (!($1 > 0 && $1 < 1)) exit 1 }' || bad "chance outside (0, 1): $chance"
for model in step_vae logmel_statistics; do
  row=$(grep -o "{\"model\":\"$model\"[^{}]*\"dci\":{[^}]*}[^}]*}" <<<"$flat")
  [ -n "$row" ] || { bad "table3.json has no row for $model"; continue; }
  for list in mig_per_factor sap_per_factor linear_accuracy forest_accuracy; do
    values=$(grep -o "\"$list\":\[[^]]*\]" <<<"$row")
    [ "$(numbers "${values#*:}" | wc -l)" = "$nf" ] || bad "$model $list: not one value per factor: $values"
    numbers "${values#*:}" | in_unit || bad "$model $list: $values"
  done
  for field in mig sap disentanglement completeness informativeness; do
    v=$(grep -o "\"$field\":[-0-9.e+]*" <<<"$row" | head -1 | cut -d: -f2)
    [ -n "$v" ] && echo "$v" | in_unit || bad "$model $field: '$v'"
  done
  grep -q "^| $model | " "$md" || bad "table3.md has no row for $model"
done
[ $fail = 0 ] && echo "table3 end to end: ok"
exit $fail
