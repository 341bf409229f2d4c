#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# make check: power-fail sweeps of unmodified upstream MCUboot (issue 16, docs/mcuboot.md,
# "Sweeps"), through `brownout sweep --bootloader mcuboot --mcuboot-src DIR`:
#
# - the mcuboot#1966 canary: swap-move test-revert on $BROWNOUT_SHARED/peers/mcuboot-1966 (the
#   tree before the fix) reports the lost revert (a torn magic write leaves swap type none and
#   the unconfirmed image running) with a replay ID that reproduces it, and the same sweep on
#   the recent tree passes; that ID replayed against the recent tree refuses, naming both trees;
# - depth-1 six-model sweeps of the recent tree on four boards x every mode it has (small
#   images, --prefix-max 2, 24 seeded points each): each comes to a verdict, names the tree, and
#   the first failure of each (an upstream finding, docs/upstream-findings.md) reproduces from
#   its replay ID;
# - JSON and JUnit name the bootloader and the tree; scripts/compare_bootloaders.sh prints its
#   table; a variant's program refuses a scenario it was not built for, naming the setting;
# - bad input, one line and a sysexits code each.
#
# The variants share upstream's libraries with tests/scripts/test_mcuboot.sh (max-sectors 512,
# no downgrade prevention). Prints "skipped: no MCUboot tree" when the trees are absent.
set -euo pipefail

root=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
shared=${BROWNOUT_SHARED:-$root/../shared}
tree=$shared/peers/mcuboot
old=$shared/peers/mcuboot-1966
build=${BUILD:-build}
if [ ! -d "$tree/boot/bootutil" ] || [ ! -d "$old/boot/bootutil" ]; then
    echo "skipped: no MCUboot tree ($tree, $old)"
    exit 0
fi
export BROWNOUT_SHARED=$shared BROWNOUT_ROOT=$root BUILD=$build
unset MCUBOOT_SRC
brownout=$build/bin/brownout
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() {
    echo "ok: $1"
    passed=$((passed + 1))
}
bad() {
    echo "FAILED: $1" >&2
    failed=$((failed + 1))
}
# sweep OUT ARGS...: brownout sweep ARGS > OUT; prints the exit status.
sweep() {
    local out=$1 rc=0
    shift
    "$brownout" sweep "$@" >"$out" 2>&1 || rc=$?
    echo "$rc"
}
common=(--max-sectors 512 --no-downgrade-prevention --prefix-max 2 -j 2)

# The canary.
canary=(--board nrf52840 --mode swap-move --scenario test-revert --faults torn-prefix "${common[@]}")
rc=$(sweep "$tmp/old.txt" "${canary[@]}" --bootloader mcuboot --mcuboot-src "$old")
id=$(sed -n 's/^  replay: brownout sweep --replay \(bo2:test-revert:swap-move@mcuboot-[^ ]*\)$/\1/p' \
    "$tmp/old.txt" | head -n 1)
if [ "$rc" = 1 ] && grep -q '^FAIL \[allowed-image\] the run ends on the new image' "$tmp/old.txt" &&
    [ -n "$id" ]; then
    ok "mcuboot#1966: the lost revert is reported ($id)"
else
    cat "$tmp/old.txt" >&2
    bad "mcuboot#1966: the sweep of $old does not report the lost revert (exit $rc)"
fi
if [ -n "$id" ]; then
    rc=$(sweep "$tmp/replay.txt" --replay "$id" --mcuboot-src "$old")
    if [ "$rc" = 1 ] && grep -q '^FAIL \[allowed-image\]' "$tmp/replay.txt"; then
        ok "mcuboot#1966: the replay ID reproduces the failure"
    else
        cat "$tmp/replay.txt" >&2
        bad "mcuboot#1966: the replay of $id does not fail (exit $rc)"
    fi
    rc=$(sweep "$tmp/notree.txt" --replay "$id")
    if [ "$rc" = 64 ] && [ "$(wc -l <"$tmp/notree.txt")" -eq 1 ] &&
        grep -q 'the replay ID is of upstream MCUboot: give its tree' "$tmp/notree.txt"; then
        ok "a replay of upstream without a tree: $(cat "$tmp/notree.txt")"
    else
        cat "$tmp/notree.txt" >&2
        bad "a replay of upstream without a tree (exit $rc)"
    fi
    rc=$(sweep "$tmp/other.txt" --replay "$id" --mcuboot-src "$tree")
    if [ "$rc" != 0 ] && [ "$rc" != 1 ] && [ "$(wc -l <"$tmp/other.txt")" -eq 1 ] &&
        grep -q 'the replay ID was made with MCUboot tree [0-9a-f]*, this program runs tree' \
            "$tmp/other.txt"; then
        ok "a replay against another tree refuses: $(cat "$tmp/other.txt")"
    else
        cat "$tmp/other.txt" >&2
        bad "a replay against another tree (exit $rc)"
    fi
fi
rc=$(sweep "$tmp/new.txt" "${canary[@]}" --bootloader mcuboot --mcuboot-src "$tree")
if [ "$rc" = 0 ] && grep -q '^PASS: 0 of [1-9][0-9]* cut points failed' "$tmp/new.txt" &&
    grep -q '^  bootloader: mcuboot .*swap-move_ec256_a8_s512_i1_vp1_dg0_hk0$' "$tmp/new.txt"; then
    ok "mcuboot#1966: the same sweep of the recent tree passes"
else
    cat "$tmp/new.txt" >&2
    bad "mcuboot#1966: the sweep of $tree (exit $rc)"
fi

# Depth-1 six-model sweeps: four boards x every mode of the tree.
modes="overwrite swap-scratch swap-move"
[ -f "$tree/boot/bootutil/src/swap_offset.c" ] && modes="$modes swap-offset"
for b in nrf52840 k64f stm32f4 w25q; do
    for m in $modes; do
        name="$b $m"
        rc=$(sweep "$tmp/m.txt" --board "$b" --mode "$m" --scenario test-revert \
            --faults before,after,torn-prefix,torn-bits,erase-partial,weak "${common[@]}" \
            --random 24 --bootloader mcuboot --mcuboot-src "$tree")
        if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
            cat "$tmp/m.txt" >&2
            bad "$name: no verdict (exit $rc)"
            continue
        fi
        if ! grep -q '^  bootloader: mcuboot ' "$tmp/m.txt"; then
            bad "$name: the result does not name the tree"
            continue
        fi
        first=$(sed -n 's/^  replay: brownout sweep --replay \(bo2:[^ ]*\)$/\1/p' "$tmp/m.txt" |
            head -n 1)
        if [ -z "$first" ]; then
            ok "$name: $(tail -n 1 "$tmp/m.txt")"
        elif [ "$(sweep "$tmp/r.txt" --replay "$first" --mcuboot-src "$tree")" = 1 ]; then
            ok "$name: $(tail -n 1 "$tmp/m.txt"); the first reproduces"
        else
            cat "$tmp/r.txt" >&2
            bad "$name: the replay of $first does not fail"
        fi
    done
done

# JSON and JUnit name the bootloader and the tree.
rc=$(sweep "$tmp/j.json" "${canary[@]}" --bootloader mcuboot --mcuboot-src "$tree" --json \
    --junit "$tmp/j.xml")
if [ "$rc" = 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(d["bootloader"] != "mcuboot" or "swap-move_ec256" not in d["bootloader_identity"])
' "$tmp/j.json" && grep -q '<property name="bootloader" value="mcuboot"/>' "$tmp/j.xml"; then
    ok "JSON and JUnit name the bootloader and the tree"
else
    bad "JSON or JUnit lacks the bootloader (exit $rc)"
fi

# The side-by-side table (scripts/compare_bootloaders.sh) on a one-row matrix of 4 points.
rc=0
scripts/compare_bootloaders.sh --mcuboot-src "$tree" --boards nrf52840 --modes swap-move \
    --faults after -- --max-sectors 512 --no-downgrade-prevention --random 4 >"$tmp/t.md" \
    2>&1 || rc=$?
if [ "$rc" = 0 ] && grep -q '^upstream MCUboot: sha256:[0-9a-f]* commit:[0-9a-f]*$' "$tmp/t.md" &&
    grep -q '^| nrf52840 | swap-move | test-revert | after | 4 | 0 | 4 | 0 |' "$tmp/t.md"; then
    ok "compare_bootloaders.sh prints the table"
else
    cat "$tmp/t.md" >&2
    bad "compare_bootloaders.sh (exit $rc)"
fi

# The variant's program refuses a scenario it was not built for, naming the setting (bl->check).
variant=swap-move_ec256_a8_s512_i1_vp1_dg0_hk0
prog=$build/mcuboot/$(basename "$tree")/$variant/brownout
rc=0
"$prog" sweep --bootloader mcuboot --board nrf52840 --mode swap-scratch --scenario perm \
    --faults after --random 1 --max-sectors 512 --no-downgrade-prevention >"$tmp/c.txt" 2>&1 ||
    rc=$?
if [ "$rc" -gt 1 ] && [ "$(wc -l <"$tmp/c.txt")" -eq 1 ] && grep -q \
    "mcuboot variant $variant was built with mode = swap-move, the configuration has swap-scratch" \
    "$tmp/c.txt"; then
    ok "the variant refuses another configuration: $(cat "$tmp/c.txt")"
else
    cat "$tmp/c.txt" >&2
    bad "the variant's check (exit $rc)"
fi

# expect NAME CODE PATTERN ARGS...: the sweep exits CODE with one line matching PATTERN.
expect() {
    local name=$1 code=$2 pattern=$3 rc
    shift 3
    rc=$(sweep "$tmp/e.txt" "$@")
    if [ "$rc" = "$code" ] && [ "$(wc -l <"$tmp/e.txt")" -eq 1 ] &&
        grep -q "$pattern" "$tmp/e.txt"; then
        ok "$name: $(cat "$tmp/e.txt")"
    else
        cat "$tmp/e.txt" >&2
        bad "$name: exit $rc, expected $code and one line matching '$pattern'"
    fi
}
base=(--board nrf52840 --mode swap-move --scenario perm --faults after --random 1)
expect "no tree" 64 "needs --mcuboot-src DIR" "${base[@]}" --bootloader mcuboot
expect "not a tree" 65 "$tmp: not a MCUboot tree (no boot/bootutil)" "${base[@]}" \
    --bootloader mcuboot --mcuboot-src "$tmp"
expect "configuration the tree cannot build" 65 \
    "mode swap-offset (MCUBOOT_SWAP_USING_OFFSET) is not in .*mcuboot-1966 (no swap_offset.c)" \
    --board nrf52840 --mode swap-offset --scenario perm --faults after --random 1 \
    --bootloader mcuboot --mcuboot-src "$old"
expect "multi-image" 64 "sweeps of upstream MCUboot handle one image" --board nrf52840 \
    --mode swap-move --scenario multi-image --faults after --random 1 --bootloader mcuboot \
    --mcuboot-src "$tree"
expect "tree without mcuboot" 64 "mcuboot-src goes with --bootloader mcuboot" "${base[@]}" \
    --mcuboot-src "$tree"

echo "mcuboot sweeps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
