#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs each test executable given (cmocka programs and check scripts), shows its output (each
# cmocka summary included), and ends with one line counting the executables that passed and
# failed. Exits 1 if any failed.
#
#   tests/run.sh EXECUTABLE...
set -u

passed=0
failed=0
failures=()
for t in "$@"; do
    echo "=== $t"
    start=$(date +%s%N)
    if "$t"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$t")
    fi
    ms=$((($(date +%s%N) - start) / 1000000))
    printf -- '--- %s: %d.%03d s\n' "$t" $((ms / 1000)) $((ms % 1000))
done
[ $failed -eq 0 ] || echo "failed: ${failures[*]}"
echo "check: $passed passed, $failed failed"
[ $failed -eq 0 ]
