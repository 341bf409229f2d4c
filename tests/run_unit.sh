#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs each cmocka test executable given, shows its output (the cmocka summary included), and
# ends with one line counting the executables that passed and failed. Exit 1 if any failed.
#
#   tests/run_unit.sh BIN...
set -u

passed=0
failed=0
failures=()
for t in "$@"; do
    echo "=== $(basename "$t")"
    if "$t"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$(basename "$t")")
    fi
done
[ $failed -eq 0 ] || echo "failed: ${failures[*]}"
echo "unit: $passed passed, $failed failed"
[ $failed -eq 0 ]
