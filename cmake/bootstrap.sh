#!/usr/bin/env bash
# cantus bootstrap: installs the Debian 12 packages cantus needs (apt-get, as root), configures and
# builds into build/, then runs what was asked.
#   bash cmake/bootstrap.sh test      # the test suite (what CI runs)
#   bash cmake/bootstrap.sh sanitize  # the test suite under ASan + UBSan, in build-sanitize/ (CI too)
#   bash cmake/bootstrap.sh main      # the main job: README's quick start
#   bash cmake/bootstrap.sh deps      # only install the packages
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${CANTUS_JOBS:-$(nproc)}

# Build and test dependencies. Reference tools (python3-torch, librosa, scikit-learn) are never
# needed here: benchmarks that compare against them install them separately (docs/performance.md).
PACKAGES=(build-essential cmake ninja-build pkg-config git
          libeigen3-dev xtensor-dev xtl-dev libxsimd-dev libomp-dev libboost-test-dev
          libsndfile1-dev libsoxr-dev libfftw3-dev libcairo2-dev
          nlohmann-json3-dev libcli11-dev libopenmpi-dev openmpi-bin
          mma fluidsynth fluid-soundfont-gm timgm6mb-soundfont strace)

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "cantus: installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

configure_and_build() {
  cmake -S "$ROOT" -B "$ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$ROOT/build" --parallel "$JOBS"
}

# The sanitizer suite (docs/testing.md). -O1: tests at -O0 run Eigen and the training loops many times
# slower, and -O2 costs compile time the 2-core CI machine does not have (docs/testing.md has the
# measurements); -g1 is enough for file:line in every report frame. Debug keeps assert() on. Only
# the example areas whose programs the tests run are built (no benchmarks).
SANITIZE_BUILD=${CANTUS_SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}
configure_and_build_sanitized() {
  cmake -S "$ROOT" -B "$SANITIZE_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
        -DCANTUS_SANITIZE=address,undefined -DCANTUS_CUDA=OFF "-DCANTUS_EXAMPLE_AREAS=audio;classify;paper"
  cmake --build "$SANITIZE_BUILD" --parallel "$JOBS"
}

# Run-time settings of the sanitizer suite. Leaks of third-party libraries are suppressed by name in
# cmake/sanitizers/lsan.supp (each entry says why); nothing of cantus is ever suppressed.
# allocator_may_return_null: an impossible allocation must fail as it does without ASan (null, then
# std::bad_alloc), because tests check that cantus turns it into a clear error (test_core,
# out_of_memory_is_a_clear_error); by default ASan aborts the process instead.
export_sanitizer_options() {
  export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:strict_init_order=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  export LSAN_OPTIONS="suppressions=$ROOT/cmake/sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
}

case "${1:-}" in
  deps) install_deps ;;
  test)
    install_deps
    configure_and_build
    cd "$ROOT/build"
    # One CTest test per test case; those that could not run are reported Skipped and listed with
    # their reasons after the summary (.ci/run also fails on a reason its machine can satisfy).
    status=0
    ctest --output-on-failure --timeout 900 -j "$JOBS" || status=$?
    bash "$ROOT/tests/skipped_cases.sh" "$ROOT/build" || true
    exit "$status"
    ;;
  sanitize)
    install_deps
    configure_and_build_sanitized
    export_sanitizer_options
    cd "$SANITIZE_BUILD"
    # Left to the Release suite (docs/testing.md): the consumer tests (packaging, not memory safety:
    # 4 minutes of compiling an uninstrumented project); the multi-process MPI tests (label mpi:
    # test_distributed_mpi2 took 490 s instead of 10 s, OpenMPI's unloaded plug-ins leak at exit from
    # frames no suppression can name);
    # paper_two_corpora_one_out and the paper_*_end_to_end tests (trainings, about 15 minutes here;
    # the same extraction, training and embedding code runs under the sanitizers in test_data and
    # test_models).
    ctest --output-on-failure --timeout 1800 -j "$JOBS" -LE '^(consumer|mpi)$' -E '^(paper_two_corpora_one_out|paper_apply_end_to_end|paper_table3_end_to_end)$'
    ;;
  main)
    install_deps
    configure_and_build
    shift || true
    if [ -x "$ROOT/build/examples/table1" ]; then
      "$ROOT/build/examples/table1" --quick "$@"
    else
      "$ROOT/build/examples/core_tour" "$@"
    fi
    ;;
  *) echo "usage: bash cmake/bootstrap.sh test|sanitize|main|deps" >&2; exit 2 ;;
esac
