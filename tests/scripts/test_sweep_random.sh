#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: `brownout sweep --random-boards N` from the command line. Two boards (seed 3),
# overwrite only, the before model: exit 0, a line per board and the summary; --save-boards
# keeps every board file, the same seed writes the same files, each file sweeps as a --board;
# --json parses; bad uses exit 64 (usage) or 73 (an unwritable --save-boards) with one line.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BO="$BUILD/bin/brownout"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
sweep() { "$BO" sweep --root "$ROOT" --mode overwrite --faults before -j 2 "$@"; }

sweep --random-boards 2 --seed 3 --save-boards "$TMP/a" >"$TMP/a.txt" || {
    cat "$TMP/a.txt"
    fail "random boards failed"
}
cat "$TMP/a.txt"
grep -Eq '^rb-3-0: accepted overwrite; refused none; [1-9][0-9]* points, 0 failures$' \
    "$TMP/a.txt" || fail "no line for rb-3-0"
grep -q '^random boards (seed 3): 2 generated' "$TMP/a.txt" || fail "no summary"
grep -q '^PASS: 0 of ' "$TMP/a.txt" || fail "no PASS line"
[ -f "$TMP/a/rb-3-0.ini" ] && [ -f "$TMP/a/rb-3-1.ini" ] || fail "board files not saved"

sweep --random-boards 2 --seed 3 --save-boards "$TMP/b" --json >"$TMP/b.json"
cmp "$TMP/a/rb-3-0.ini" "$TMP/b/rb-3-0.ini" || fail "seed 3 wrote another board 0"
cmp "$TMP/a/rb-3-1.ini" "$TMP/b/rb-3-1.ini" || fail "seed 3 wrote another board 1"
python3 - "$TMP/b.json" <<'PY' || fail "bad JSON"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert d["seed"] == 3 and s["generated"] == 2 and s["failures"] == 0, s
assert s["accepted"] + s["refused"] == 2 and s["modes_swept"] + s["modes_refused"] == 2, s
assert [b["name"] for b in d["boards"]] == ["rb-3-0", "rb-3-1"], d["boards"]
PY

# A saved board is a real board file: it sweeps by path.
"$BO" sweep --root "$ROOT" --board "$TMP/a/rb-3-0.ini" --mode overwrite --faults before \
    >"$TMP/one.txt" || fail "the saved board does not sweep"

bad() {
    want=$1
    shift
    rc=0
    "$BO" sweep --root "$ROOT" "$@" >"$TMP/bad.txt" 2>&1 || rc=$?
    [ "$rc" -eq "$want" ] || { cat "$TMP/bad.txt"; fail "$*: exit $rc, not $want"; }
    head -n 1 "$TMP/bad.txt" | grep -q '^sweep: ..' || { cat "$TMP/bad.txt"; fail "$*: no reason"; }
}
bad 64 --random-boards 0
bad 64 --random-boards x
bad 64 --random-boards 2 --board k64f
bad 64 --save-boards "$TMP/c"
touch "$TMP/file"
bad 73 --random-boards 1 --save-boards "$TMP/file/sub"
echo "PASS: random boards"
