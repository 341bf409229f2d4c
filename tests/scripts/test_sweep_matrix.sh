#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: scripts/sweep_matrix.py (make sweep-matrix) in its --quick form (one board, one
# mode, perm, the small image, all six fault models) passes with a table row of 0 failures; a
# board whose Modes line claims a mode it cannot run makes the matrix fail; a Modes line with an
# unknown mode is refused with FILE:LINE and exit status 2.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$ROOT/scripts/sweep_matrix.py" --root "$ROOT" --quick >"$TMP/quick.txt" 2>&1 ||
    { cat "$TMP/quick.txt"; fail "--quick failed"; }
cat "$TMP/quick.txt"
grep -Eq '^nrf52840 +overwrite +perm +small +[1-9][0-9]* +0 ' "$TMP/quick.txt" ||
    fail "no passing nrf52840 overwrite row"
grep -q '^PASS: 0 failures in 1 cells' "$TMP/quick.txt" || fail "no PASS line"

# A root whose only board claims swap-using-scratch without a scratch partition.
mkdir -p "$TMP/root/fixtures/boards"
ln -s "$ROOT/fixtures/keys" "$TMP/root/fixtures/keys"
sed -e '/^\[partition scratch\]/,$d' "$ROOT/fixtures/boards/nrf52840.ini" \
    >"$TMP/root/fixtures/boards/noscratch.ini"
rc=0
"$ROOT/scripts/sweep_matrix.py" --root "$TMP/root" --mode swap-scratch --scenario perm \
    --size small >"$TMP/bad.txt" 2>&1 || rc=$?
cat "$TMP/bad.txt"
[ "$rc" -eq 1 ] || fail "a board that cannot run a claimed mode: exit $rc, not 1"
grep -q 'ERROR.*scratch' "$TMP/bad.txt" || fail "no ERROR naming the scratch partition"
grep -q '^FAIL: 1 of 1 cells' "$TMP/bad.txt" || fail "no FAIL summary"

# An unknown mode in the Modes line.
sed -e 's/^; Modes: overwrite-only,/; Modes: overwrite-only, swap-using-magic,/' \
    "$ROOT/fixtures/boards/nrf52840.ini" >"$TMP/root/fixtures/boards/noscratch.ini"
rc=0
"$ROOT/scripts/sweep_matrix.py" --root "$TMP/root" >"$TMP/modes.txt" 2>&1 || rc=$?
cat "$TMP/modes.txt"
[ "$rc" -eq 2 ] || fail "unknown mode: exit $rc, not 2"
grep -Eq 'noscratch.ini:[0-9]+: unknown mode .swap-using-magic.' "$TMP/modes.txt" ||
    fail "no FILE:LINE for the unknown mode"
echo "PASS: sweep matrix"
