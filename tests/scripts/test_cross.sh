#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# make check: the result of make cross (built before the tests, mk/cross.mk). Every core source
# has its Cortex-M4 object, the size-only boot image links boot_go() and the stub port only
# (no host symbol), and the size table adds up to what arm-none-eabi-size reports.
set -u
root=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
cd "$root"
cross=$build/cross
passed=0
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

missing=0
while IFS= read -r src; do
    obj=$cross/obj/${src%.c}.o
    if [ ! -s "$obj" ] ||
       ! arm-none-eabi-readelf -h "$obj" 2>/dev/null | grep -q 'Machine:.*ARM'; then
        fail "$src has no Cortex-M4 object ($obj); run make cross"
        missing=1
    fi
done < <(find core -name '*.c' | sort)
[ $missing -eq 0 ] && passed=$((passed + 1))

if [ ! -s "$cross/boot.elf" ]; then
    fail "$cross/boot.elf is missing; run make cross"
else
    if arm-none-eabi-nm "$cross/boot.elf" | grep -qw boot_go; then
        passed=$((passed + 1))
    else
        fail "the boot image does not contain boot_go"
    fi
    # The heap is the port's (port_heap_calloc), never libc's; no printf, no clock, no files.
    host=$(arm-none-eabi-nm "$cross/boot.elf" |
        grep -E ' (malloc|_malloc_r|free|calloc|printf|_printf_r|_sbrk|_write|_read|time)$' ||
        true)
    if [ -z "$host" ]; then
        passed=$((passed + 1))
    else
        fail "the boot image links C library services the core must not use: $host"
    fi
fi

if [ -s "$cross/size.txt" ] && grep -q '^= image total' "$cross/size.txt" &&
   ! grep -q 'differ' "$cross/size.txt"; then
    passed=$((passed + 1))
    sed -n '/^= image total/,/arm-none-eabi-size of the image/p' "$cross/size.txt"
else
    fail "$cross/size.txt has no valid size table"
fi

echo "cross: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
