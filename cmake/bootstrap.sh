#!/usr/bin/env bash
# cantus bootstrap: installs the Debian 12 packages cantus needs (apt-get, as root), configures and
# builds into build/, then runs what was asked.
#   bash cmake/bootstrap.sh test   # the test suite (what CI runs)
#   bash cmake/bootstrap.sh main   # the main job: README's quick start
#   bash cmake/bootstrap.sh deps   # only install the packages
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
          mma fluidsynth fluid-soundfont-gm timgm6mb-soundfont)

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

case "${1:-}" in
  deps) install_deps ;;
  test)
    install_deps
    configure_and_build
    cd "$ROOT/build"
    ctest --output-on-failure --timeout 900 -j "$JOBS"
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
  *) echo "usage: bash cmake/bootstrap.sh test|main|deps" >&2; exit 2 ;;
esac
