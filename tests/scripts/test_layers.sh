#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: the objects of sim/sweep and of port/linux/vflash form layered graphs (no cycle
# between their .o files, scripts/check_layers.sh), and the checker finds a cycle planted in two
# small objects (so a pass means something).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$ROOT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf 'int layers_b(void);\nint layers_a(void) { return layers_b(); }\n' >"$tmp/a.c"
printf 'int layers_a(void);\nint layers_b(void) { return layers_a() + 1; }\n' >"$tmp/b.c"
printf 'int layers_a(void);\nint layers_c(void) { return layers_a(); }\n' >"$tmp/c.c"
for f in a b c; do
    cc -c -o "$tmp/$f.o" "$tmp/$f.c"
done
if scripts/check_layers.sh "$tmp" 2>"$tmp/out"; then
    echo "layers: the checker missed the cycle a -> b -> a" >&2
    exit 1
fi
grep -q 'cycle: a -(layers_b)-> b -(layers_a)-> a' "$tmp/out" || {
    echo "layers: unexpected report: $(cat "$tmp/out")" >&2
    exit 1
}
rm "$tmp/b.o"
scripts/check_layers.sh "$tmp"
scripts/check_layers.sh "$BUILD/obj/sim/sweep" "$BUILD/obj/port/linux/vflash"
echo "layers: 3 passed, 0 failed"
