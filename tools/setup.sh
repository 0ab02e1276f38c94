#!/usr/bin/env bash
# One script behind README's two commands, for a fresh Debian 12 machine (root, apt reachable):
#
#   bash tools/setup.sh bench   install what is needed, build Release, run `tessera bench`'s
#                               default suite (prints its table)
#   bash tools/setup.sh test    install what is needed, build every configuration, run the whole
#                               test suite through ctest (prints a summary line per configuration
#                               and a total "N passed, N failed")
#
# Run again, it skips what is installed and only rebuilds what changed. Build trees go under
# build/ in the source tree. Set TESSERA_JOBS to change the build and ctest parallelism (default:
# nproc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
what=${1:-}
jobs=${TESSERA_JOBS:-$(nproc)}

# ocl-icd-opencl-dev: oneDNN's CMake package looks for OpenCL (only a recommendation of libdnnl-dev)
packages=(build-essential cmake pkg-config libdnnl-dev ocl-icd-opencl-dev libbenchmark-dev libsimde-dev)
if [ "$what" = "test" ]; then
  packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)
fi

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "== packages: all installed"
    return
  fi
  echo "== installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# configure NAME CMAKE_ARGS...: configure build/NAME once, then build it (incrementally).
build() {
  local name=$1; shift
  local dir="build/$name"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    echo "== configuring $dir"
    cmake -S . -B "$dir" "$@" >"build/$name.configure.log" 2>&1 || { cat "build/$name.configure.log"; exit 1; }
  fi
  echo "== building $dir"
  cmake --build "$dir" --parallel "$jobs" 2>&1 | grep -E "warning:|error:|Error [0-9]" || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
}

total_passed=0 total_failed=0
# run_ctest NAME [CTEST_ARGS...]: runs one configuration's tests and adds to the totals.
run_ctest() {
  local name=$1; shift
  echo "== testing build/$name"
  local log="build/$name.ctest.log" status=0
  (cd "build/$name" && ctest --output-on-failure --timeout 900 -j "$jobs" "$@") >"$log" 2>&1 || status=$?
  grep -E "^ *[0-9]+/[0-9]+ Test|tests passed|FAIL|Failed|Not Run|Exception|\*\*\*" "$log" || true
  local line total failed
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1 || true)
  if [ -z "$line" ]; then
    echo "ctest for build/$name printed no summary"; cat "$log"; total_failed=$((total_failed + 1)); return
  fi
  failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
  total=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
  [ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || total_failed=$((total_failed + 1))
}

mkdir -p build
install_packages
case "$what" in
  bench)
    build release -DCMAKE_BUILD_TYPE=Release -DTESSERA_BUILD_TESTS=OFF
    ./build/release/tools/tessera bench
    ;;
  test)
    start=$(date +%s)
    # Release, native pool, oneDNN oracle, benchmarks compiled (and smoke-run by ctest).
    build release-tests -DCMAKE_BUILD_TYPE=Release -DTESSERA_BUILD_BENCHMARKS=ON
    run_ctest release-tests
    # AddressSanitizer + UndefinedBehaviorSanitizer over the same tests.
    build asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSERA_SANITIZE=address,undefined
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest asan
    # ThreadSanitizer over the lock-free pool and the threaded op (oneDNN's OpenMP runtime is
    # not TSan-instrumented, so this configuration leaves oneDNN out). The ISA-capped copies
    # (.scalar, .avx2) are left out: they run the same threading (about 7 of TSan's 11 minutes).
    build tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSERA_SANITIZE=thread -DTESSERA_WITH_ONEDNN=OFF \
      -DTESSERA_BUILD_TOOLS=OFF
    TSAN_OPTIONS=halt_on_error=1 run_ctest tsan -L "threadpool|eltwise|api" -E "[.](scalar|avx2)\$"
    # The OpenMP backend of the thread pool.
    build openmp -DCMAKE_BUILD_TYPE=Release -DTESSERA_THREADING=openmp
    run_ctest openmp
    # NEON kernels: AArch64 cross build, tests under qemu-aarch64.
    build aarch64 -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
      -DTESSERA_WITH_ONEDNN=OFF
    run_ctest aarch64
    echo "== all configurations: $((total_passed + total_failed)) tests in $(( $(date +%s) - start )) s"
    echo "$total_passed passed, $total_failed failed"
    [ "$total_failed" -eq 0 ]
    ;;
  *)
    echo "usage: bash tools/setup.sh bench|test" >&2
    exit 2
    ;;
esac
