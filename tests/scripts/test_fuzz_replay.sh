#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# make check: every fuzz target's replay binary (ASan + UBSan, built by mk/fuzz.mk) runs over
# its seed corpus fuzz/corpus/TARGET and its regression inputs fuzz/regressions/TARGET; each
# input must run clean (no sanitizer report, no failed oracle, no crash). A failure reruns the
# directory with -v to name the input.
#
#   BUILD=build tests/scripts/test_fuzz_replay.sh [TARGET...]
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1
build=${BUILD:-build}
export BROWNOUT_ROOT="$top"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in fuzz/*.c; do targets+=("$(basename "$f" .c)"); done
fi

passed=0
failed=0
for t in "${targets[@]}"; do
    bin="$build/fuzz/replay/bin/$t"
    if ! [ -x "$bin" ]; then
        echo "fuzz-replay: $t: $bin is missing (make fuzz-replay-bins)"
        failed=$((failed + 1))
        continue
    fi
    dirs=()
    for d in "fuzz/corpus/$t" "fuzz/regressions/$t"; do
        [ -d "$d" ] && [ -n "$(ls -A "$d")" ] && dirs+=("$d")
    done
    if [ ${#dirs[@]} -eq 0 ]; then
        echo "fuzz-replay: $t: no corpus (fuzz/corpus/$t)"
        failed=$((failed + 1))
        continue
    fi
    if out=$("$bin" "${dirs[@]}" 2>&1); then
        echo "fuzz-replay: $t: ${out##*replay: }"
        passed=$((passed + 1))
    else
        echo "fuzz-replay: $t FAILED:"
        "$bin" -v "${dirs[@]}" 2>&1 | grep -v '^brownoutd: ' | tail -40
        failed=$((failed + 1))
    fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ $failed -eq 0 ]
