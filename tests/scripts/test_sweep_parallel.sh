#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: docs/distributed.md's GNU parallel example runs as written. It runs a small sweep
# as three shards under GNU parallel with --shard auto (PARALLEL_SEQ, BROWNOUT_SHARD_COUNT),
# merges them and checks that the merge equals the unsharded sweep byte for byte, that the
# shards are real shards (each a third, none the whole) and that a merge without one of them
# is refused.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
BO="$ROOT/$BUILD/bin/brownout"
fail() { echo "test_sweep_parallel: $*" >&2; exit 1; }
[ -x "$BO" ] || fail "$BO is not built"
command -v parallel >/dev/null || fail "GNU parallel is not installed (scripts/deps.sh)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The block of docs/distributed.md after "## GNU parallel", with this build's brownout and a
# temporary directory the test can read back.
awk '/^## GNU parallel/ { s = 1 } s && /^```sh$/ { p = 1; next } p && /^```$/ { exit } p' \
    "$ROOT/docs/distributed.md" >"$TMP/example.sh"
grep -q 'parallel .*--shard auto' "$TMP/example.sh" || fail "no parallel example in docs/distributed.md"
sed -e "s|^B=build/bin/brownout\$|B=$BO|" -e "s|^T=\$(mktemp -d)\$|T=$TMP/run; mkdir \$T|" \
    "$TMP/example.sh" >"$TMP/run.sh"
grep -q "^B=$BO\$" "$TMP/run.sh" && grep -q "^T=$TMP/run" "$TMP/run.sh" ||
    fail "the example no longer sets B=build/bin/brownout and T=\$(mktemp -d)"
for v in BROWNOUT_SHARD_INDEX JOB_COMPLETION_INDEX SLURM_ARRAY_TASK_ID CI_NODE_INDEX PARALLEL_SEQ; do
    unset "$v"
done
(cd "$ROOT" && HOME="$TMP" bash -eu "$TMP/run.sh") >"$TMP/out.txt" 2>&1 || {
    cat "$TMP/out.txt"
    fail "the example failed"
}
grep -qx "merged = unsharded" "$TMP/out.txt" || { cat "$TMP/out.txt"; fail "no 'merged = unsharded'"; }

R="$TMP/run"
python3 - "$R" <<'PY' || fail "the shards are not the three thirds of the sweep"
import json, sys
d = sys.argv[1]
whole = json.load(open(d + "/whole.json"))
shards = [json.load(open("%s/shard%d.json" % (d, i))) for i in (1, 2, 3)]
assert [(s["shard_index"], s["shard_count"]) for s in shards] == [(1, 3), (2, 3), (3, 3)]
assert whole["points"] > 3 and sum(s["points"] for s in shards) == whole["points"]
assert all(0 < s["points"] < whole["points"] for s in shards)
ids = sorted(r["replay"] for s in shards for r in s["results"])
assert ids == sorted(r["replay"] for r in whole["results"])
PY

rc=0
"$BO" sweep --merge "$R/shard1.json" "$R/shard3.json" >"$TMP/part.txt" 2>"$TMP/part.err" || rc=$?
[ "$rc" -eq 65 ] || fail "a merge without shard 2 exits $rc, not 65"
grep -q "shard 2 of 3 is missing" "$TMP/part.err" || fail "the missing shard is not named"
! grep -q PASS "$TMP/part.txt" || fail "a merge without shard 2 printed PASS"
echo "PASS: sweep shards under GNU parallel merge to the unsharded sweep"
