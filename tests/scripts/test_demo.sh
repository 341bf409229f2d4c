#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: runs the tour of make demo (scripts/demo.sh) on the programs of $BUILD (default
# build) and checks that it exits 0 and that its key lines are there: each boot with the right
# version, the power cut and its recovery, the over-the-air update over CoAPs (when
# coap-client-openssl is installed) and the clean shutdown; then the tour without FUSE, and a
# clear message and a non-zero status when the programs are missing. The demo's temporary
# directories go under this test's own, which must be empty (and unmounted) afterwards.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BUILD="${BUILD:-build}"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/bo-test-demo.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
mkdir "$OUT/tmp"

failed=0
bad() { printf 'test_demo: FAIL: %s\n' "$*" >&2; failed=1; }

# Runs the demo with extra environment assignments; its output in $OUT/NAME.out, status in RC.
run_demo() {
    name=$1
    shift
    RC=0
    env TMPDIR="$OUT/tmp" "$@" sh "$ROOT/scripts/demo.sh" > "$OUT/$name.out" 2>&1 || RC=$?
}

# Checks that the output of run NAME has a line matching the extended regular expression RE.
expect() {
    if ! grep -Eq -- "$2" "$OUT/$1.out"; then
        bad "$1: no line matches: $2"
    fi
}

# The tour itself (with FUSE where /dev/fuse works).
run_demo tour
if [ $RC -ne 0 ]; then
    cat "$OUT/tour.out" >&2
    bad "scripts/demo.sh exited $RC"
fi
expect tour 'BOOT_DONE: running v1\.0\.0\+0 .*swap type .none.'
expect tour 'secondary slot now holds: v2\.0\.0\+0'
expect tour 'BOOT_DONE: running v2\.0\.0\+0 .*swap type .test.'
expect tour 'POWER_LOSS at op 55: the erase of [0-9]+ bytes at 0x[0-9a-f]+ was cut short'
expect tour 'BOOT_DONE: running v3\.0\.0\+0 '
if command -v coap-client-openssl > /dev/null 2>&1; then
    expect tour "serves coaps://127\.0\.0\.1:[0-9]+ "
    expect tour 'GET  /fw +primary v3\.0\.0\+0 \(active, confirmed\)'
    expect tour 'PUT  /fw/upload +[0-9]+ bytes in [0-9]+ Block1 blocks of 512'
    expect tour 'POST /fw/pending'
    expect tour 'POST /reboot'
    expect tour 'BOOT_DONE: running v4\.0\.0\+0 .*swap type .test.'
    expect tour 'POST /fw/confirm'
    expect tour 'GET  /fw +primary v4\.0\.0\+0 \(active, confirmed\)'
    expect tour 'RESET_REQUEST RESET BOOT_DONE APP_READY'
else
    echo "test_demo: coap-client-openssl is not installed: the over-the-air step is skipped"
    expect tour 'skipped: coap-client-openssl is not installed'
fi
expect tour 'brownoutd exited 0'
expect tour '^Demo complete\.$'
if grep -q 'demo: FAILED' "$OUT/tour.out"; then
    bad "tour: a FAILED line"
fi

# Without the FUSE view the tour stages v2 through the control socket and still completes.
run_demo nofuse BROWNOUT_DEMO_FUSE=0
if [ $RC -ne 0 ]; then
    cat "$OUT/nofuse.out" >&2
    bad "scripts/demo.sh without FUSE exited $RC"
fi
expect nofuse 'FUSE is not available here: brownout image load dev0 0-secondary'
expect nofuse '^Demo complete\.$'

# A build directory without the programs: a clear message and a non-zero status.
run_demo missing BUILD="$OUT/nothing"
if [ $RC -eq 0 ]; then
    bad "scripts/demo.sh with no programs exited 0"
fi
expect missing 'is missing; run .make. first'

# No temporary directory or mount is left behind by the runs above.
if grep -qsF " $OUT/tmp/" /proc/self/mounts; then
    bad "a demo mount is left behind"
fi
if [ -n "$(ls -A "$OUT/tmp")" ]; then
    bad "demo left files behind: $(ls -A "$OUT/tmp")"
fi

[ $failed -eq 0 ] || exit 1
echo "test_demo: ok"
