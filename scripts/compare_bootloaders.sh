#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Side by side (issue 16): the same sweep matrix on brownout's core and on an unmodified upstream
# MCUboot tree (brownout sweep --bootloader mcuboot), one Markdown table row per
# board x mode x scenario x fault model: points, failures and the first failing replay ID of each.
#
#   scripts/compare_bootloaders.sh [--mcuboot-src DIR] [--boards "B ..."] [--modes "M ..."]
#       [--scenarios "S ..."] [--faults LIST] [-- SWEEP-OPTIONS...]
#
# Defaults: the tree $BROWNOUT_SHARED/peers/mcuboot (../shared beside the repository), boards
# nrf52840 k64f stm32f4 w25q, every mode the tree has, scenario test-revert, the six cut models;
# SWEEP-OPTIONS go to every sweep (e.g. --prefix-max 2 --max-sectors 512 -j 2). The tree's
# identity heads the output. Exit status: 0 when every sweep ran (failures are findings), 64 for
# bad usage, 69 when a sweep could not run (its line is printed).
set -euo pipefail

root=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
shared=${BROWNOUT_SHARED:-$root/../shared}
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
brownout=$build/bin/brownout
src=$shared/peers/mcuboot
boards="nrf52840 k64f stm32f4 w25q"
modes=""
scenarios="test-revert"
faults="before,after,torn-prefix,torn-bits,erase-partial,weak"

usage() {
    sed -n '7,9p' "$0" | sed 's/^# *//' >&2
    exit 64
}
while [ $# -gt 0 ]; do
    case $1 in
    --mcuboot-src) src=${2:?}; shift 2 ;;
    --boards) boards=${2:?}; shift 2 ;;
    --modes) modes=${2:?}; shift 2 ;;
    --scenarios) scenarios=${2:?}; shift 2 ;;
    --faults) faults=${2:?}; shift 2 ;;
    --) shift; break ;;
    *) echo "compare_bootloaders: unknown option '$1'" >&2; usage ;;
    esac
done
if [ ! -d "$src/boot/bootutil" ]; then
    echo "compare_bootloaders: $src: not a MCUboot tree (no boot/bootutil)" >&2
    exit 64
fi
if [ ! -x "$brownout" ]; then
    echo "compare_bootloaders: $brownout: not built (make all)" >&2
    exit 69
fi
if [ -z "$modes" ]; then
    modes="overwrite swap-scratch swap-move"
    [ -f "$src/boot/bootutil/src/swap_offset.c" ] && modes="$modes swap-offset"
fi
export BROWNOUT_ROOT=$root BROWNOUT_SHARED=$shared BUILD=$build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME ARGS...: one sweep as JSON into $tmp/NAME.json; exit 0 or 1 is a verdict.
run() {
    local name=$1 rc=0
    shift
    "$brownout" sweep "$@" --json >"$tmp/$name.json" 2>"$tmp/$name.err" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "compare_bootloaders: brownout sweep $* failed ($rc): $(head -n 1 "$tmp/$name.err")" >&2
        return 1
    fi
}

n=0
for b in $boards; do
    for m in $modes; do
        for s in $scenarios; do
            n=$((n + 1))
            args=(--board "$b" --mode "$m" --scenario "$s" --faults "$faults" "$@")
            run "$n.brownout" "${args[@]}" || exit 69
            run "$n.mcuboot" "${args[@]}" --bootloader mcuboot --mcuboot-src "$src" || exit 69
        done
    done
done

python3 - "$tmp" "$n" <<'EOF'
import json, sys

tmp, n = sys.argv[1], int(sys.argv[2])
first = json.load(open("%s/1.mcuboot.json" % tmp))
# The identity names the tree, then the variant of that sweep: the tree heads the table.
print("upstream MCUboot: %s\n" % first["bootloader_identity"].rsplit(" ", 1)[0])
print("| board | mode | scenario | model | brownout points | failures | mcuboot points "
      "| failures | first failure (brownout, then mcuboot) |")
print("|---|---|---|---|---:|---:|---:|---:|---|")


def tally(res):
    out = {}
    for r in res["results"]:
        t = out.setdefault(r["model"], [0, 0, ""])
        t[0] += 1
        if r["status"] != "pass":
            t[1] += 1
            t[2] = t[2] or r["replay"]
    return out


for i in range(1, n + 1):
    a = json.load(open("%s/%d.brownout.json" % (tmp, i)))
    b = json.load(open("%s/%d.mcuboot.json" % (tmp, i)))
    ta, tb = tally(a), tally(b)
    for model in a["faults"]:
        pa, fa, ida = ta.get(model, [0, 0, ""])
        pb, fb, idb = tb.get(model, [0, 0, ""])
        ids = " ".join("`%s`" % i for i in (ida, idb) if i)
        print("| %s | %s | %s | %s | %d | %d | %d | %d | %s |" % (
            a["board"], a["mode"], a["scenario"], model, pa, fa, pb, fb, ids))
EOF
