#!/usr/bin/env bash
# The headers under include/cantus stand in layers, a folder each (a sub-folder named in the table is
# a layer of its own), and a header may include only its own layer and the layers below it: the
# include graph has no arrow going back up (docs/architecture.md draws the layers). The table below
# is that drawing in data; a new folder must take its place in it, so that no include can quietly
# bend the layers.
#
# usage: layering_test.sh [INCLUDE_ROOT]   (default: include/cantus beside this script's parent)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)/include/cantus}
[[ -d $root ]] || { echo "layering_test: $root: no such folder" >&2; exit 2; }

# Each layer and the layers directly beneath it. A layer may include everything reachable downwards;
# the longest folder that a path starts with is its layer (backend/cpu/nn before backend/cpu).
declare -A below=(
  [base]=""                                # portability macros, index_t, errors, element-wise functors
  [backend]="base"                         # the backend trait: tags, backend_ops<B>, the concept
  [backend/cpu]="backend"                  # CPU storage, SIMD kernels, GEMM, run-time dispatch
  [backend/cuda]="backend"                 # CUDA storage, kernels, cuBLAS, checked errors
  [core]="backend/cpu"                     # tensors over a backend, .npy, random streams, files
  [backend/cpu/nn]="core"                  # the nn::tt kernels on the CPU
  [backend/cuda/nn]="core backend/cuda"    # the nn::tt kernels on CUDA
  [nn/tt]="backend/cpu/nn backend/cuda/nn" # the kernel interface each layer calls
  [nn]="nn/tt"                             # layers, RNN cells, losses, optimizers, checkpoints
  [audio]="core"
  [data]="audio distributed"                # corpora, the feature store (built over a process group too)
  [classify]="core"
  [viz]="classify"
  [distributed]="nn backend/cuda"          # process groups; gradients of nn's parameters (NCCL on cuda)
  [models]="distributed data"
)

declare -A layer_cache=()
layer_of() {  # $1: a path under include/cantus; sets layer to its layer, "umbrella" or nothing
  local p=$1 dir=${1%/*} l
  [[ $p != */* ]] && { layer=umbrella; return; }
  if [[ -z ${layer_cache[$dir]+set} ]]; then
    layer_cache[$dir]=""
    for l in "${!below[@]}"; do
      [[ $p == "$l"/* && ${#l} -gt ${#layer_cache[$dir]} ]] && layer_cache[$dir]=$l
    done
  fi
  layer=${layer_cache[$dir]}
}

declare -A reach=()
reachable() {  # $1: a layer; sets reach[$1] to every layer beneath it
  local l=$1 seen=" " todo=(${below[$1]}) x
  while ((${#todo[@]})); do
    x=${todo[0]}
    todo=("${todo[@]:1}")
    [[ $seen == *" $x "* ]] && continue
    seen+="$x "
    todo+=(${below[$x]})
  done
  reach[$l]=$seen
}
for l in "${!below[@]}"; do reachable "$l"; done

bad=0
while IFS= read -r -d '' file; do
  rel=${file#"$root"/}
  layer_of "$rel"
  from=$layer
  if [[ -z $from ]]; then
    echo "$rel: folder $(dirname "$rel")/ has no layer: give it one in ${BASH_SOURCE[0]}"
    bad=1
    continue
  fi
  [[ $from == umbrella ]] && continue
  while IFS=: read -r line target; do
    layer_of "$target"
    to=$layer
    if [[ $to != "$from" && ${reach[$from]} != *" $to "* ]]; then
      echo "$rel:$line: $from/ includes cantus/$target ($to${to:+/}), which is not below it"
      bad=1
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"cantus/' "$file" |
           sed -E 's/^([0-9]+):.*"cantus\/([^"]+)".*/\1:\2/')
done < <(find "$root" -type f -print0 | sort -z)

if ((bad)); then
  echo "layering: FAILED (a header includes a layer that is not below its own; see above)"
  exit 1
fi
echo "layering: every include in $root points down"
