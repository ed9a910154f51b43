#!/usr/bin/env bash
# The SIMD dispatch objects' static initialisers run on every processor, before anything can ask which
# instruction sets it has: they must hold no AVX or AVX-512 instruction (a VEX/EVEX mnemonic, "v...").
# Building the AVX-512 kernel table there killed every program with SIGILL on AVX2-only processors.
# usage: static_init_check.sh OBJDUMP OBJECT...
set -uo pipefail
objdump=$1; shift
status=0 checked=0
for obj in "$@"; do
  [ -f "$obj" ] || { echo "static_init_check: $obj: no such object file" >&2; exit 2; }
  # Every _GLOBAL__sub_I_* function, instruction lines only ("addr:<tab>mnemonic operands").
  init=$("$objdump" -d --no-show-raw-insn "$obj" | awk '/^[0-9a-f]+ <_GLOBAL__sub_I_/ {on=1; next} /^[0-9a-f]+ </ {on=0} on && /:\t/')
  [ -n "$init" ] && checked=$((checked + 1))
  bad=$(printf '%s\n' "$init" | awk -F'\t' 'NF >= 2 && $2 ~ /^v/')
  if [ -n "$bad" ]; then
    echo "static_init_check: $(basename "$obj"): its static initialiser runs vector instructions of its level:" >&2
    printf '%s\n' "$bad" | head -5 >&2
    status=1
  fi
done
if [ "$checked" -eq 0 ]; then
  echo "static_init_check: no static initialiser found in $# objects (expected the dispatch registrations)" >&2
  exit 1
fi
[ "$status" -eq 0 ] && echo "static_init_check: $checked static initialisers, no AVX/AVX-512 instruction"
exit $status
