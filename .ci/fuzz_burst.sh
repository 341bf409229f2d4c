#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# CI: runs every AFL++ target for a short burst, so that a harness that stopped working (does not
# build, does not start, crashes on its seeds, finds a crash) fails the job.
#
#   .ci/fuzz_burst.sh [SECONDS]       (default 15 per target; BUILD, FUZZ_MAKE_ARGS as for make)
#
# Each target runs scripts/fuzz.sh TARGET --time SECONDS --jobs 1 (one instance with the CMPLOG
# build); the figures of each are printed. Exits 1 when any target failed.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1
secs=${1:-15}
export BUILD=${BUILD:-build}

# shellcheck disable=SC2086
if ! make --no-print-directory BUILD="$BUILD" ${FUZZ_MAKE_ARGS:-} fuzz-afl fuzz-replay-bins \
        > "${TMPDIR:-/tmp}/fuzz-burst-build.log" 2>&1; then
    tail -30 "${TMPDIR:-/tmp}/fuzz-burst-build.log"
    echo "fuzz_burst: the fuzz build failed"
    exit 1
fi
failed=()
for f in fuzz/*.c; do
    t=$(basename "$f" .c)
    echo "=== fuzz burst: $t (${secs} s)"
    if ! scripts/fuzz.sh "$t" --time "$secs" --jobs 1 --no-build; then
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz_burst: failed: ${failed[*]}"
    exit 1
fi
echo "fuzz_burst: every target ran clean"
