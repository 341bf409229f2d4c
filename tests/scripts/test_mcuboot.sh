#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# make check: unmodified upstream MCUboot against the port (issue 16, docs/mcuboot.md). Builds
# the recent tree of $BROWNOUT_SHARED/peers/mcuboot (default ../shared beside the repository)
# with `make MCUBOOT_SRC=...` in its test variants and runs tests/mcuboot's program in each:
# every imgtool interop vector judged by upstream as the manifest says, a test upgrade and its
# revert, power cuts that unwind out of boot_go(). Then the bad inputs: a folder that is no
# MCUboot tree, a tree too old for the port, a configuration upstream's own checks reject, a
# mode the tree does not have. Prints "skipped: no MCUboot tree" when the tree is absent.
set -euo pipefail

root=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
shared=${BROWNOUT_SHARED:-$root/../shared}
tree=$shared/peers/mcuboot
build=${BUILD:-build}
if [ ! -d "$tree/boot/bootutil" ]; then
    echo "skipped: no MCUboot tree ($tree)"
    exit 0
fi
export BROWNOUT_SHARED=$shared
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mk() {
    make --no-print-directory NO_DEPS=1 BUILD="$build" "$@"
}

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

# The build and the programs.
if ! mk MCUBOOT_SRC="$tree" mcuboot-tests >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log" >&2
    echo "FAILED: make MCUBOOT_SRC=$tree mcuboot-tests" >&2
    exit 1
fi
ok "make MCUBOOT_SRC=$tree builds the test variants"
for prog in $(mk -s MCUBOOT_SRC="$tree" mcuboot-tests-list); do
    if "$prog" >"$tmp/run.log" 2>&1; then
        ok "$(basename "$(dirname "$prog")")"
    else
        cat "$tmp/run.log" >&2
        bad "$prog"
    fi
done

# expect_line NAME PATTERN MAKE-ARGS...: make fails, and our one line says PATTERN.
expect_line() {
    local name=$1 pattern=$2
    shift 2
    if mk "$@" >"$tmp/out.log" 2>&1; then
        bad "$name: make succeeded"
    elif [ "$(grep -c "$pattern" "$tmp/out.log")" -ne 1 ]; then
        cat "$tmp/out.log" >&2
        bad "$name: no single line matching '$pattern'"
    else
        ok "$name: $(grep "$pattern" "$tmp/out.log")"
    fi
}

expect_line "not a tree" "$tmp: not a MCUboot tree (no boot/bootutil)" MCUBOOT_SRC="$tmp" mcuboot

# A tree without bootutil_public.c (a copy of links to the real one, in the temporary folder).
old=$tmp/old-mcuboot
mkdir -p "$old/boot/bootutil/src"
ln -s "$tree/boot/bootutil/include" "$old/boot/bootutil/include"
for f in "$tree"/boot/bootutil/src/*; do
    [ "$(basename "$f")" = bootutil_public.c ] || ln -s "$f" "$old/boot/bootutil/src/"
done
expect_line "too old" "too old for the port: missing boot/bootutil/src/bootutil_public.c" \
    MCUBOOT_SRC="$old" mcuboot

variant=swap-scratch_ec384_a8_s512_i1_vp1_dg0_hk0
expect_line "rejected configuration" \
    "upstream MCUboot rejects variant $variant (MCUBOOT_SIGN_EC384)" \
    MCUBOOT_SRC="$tree" MCUBOOT_VARIANTS="$variant" mcuboot
expect_line "bad variant name" "not a variant name" MCUBOOT_SRC="$tree" \
    MCUBOOT_VARIANTS=swap-sideways_ec256 mcuboot

# A device's settings name its variant; its key file gives the signature type.
gen="python3 port/linux/mcuboot/mcuboot_gen.py"
keys=$shared/interop/imgtool/keys
name=$($gen name mode=overwrite key="$keys/rsa2048.pub.pem" validate-primary=false max-align=4)
if [ "$name" = overwrite-only_rsa2048_a4_s512_i1_vp0_dg0_hk0 ]; then
    ok "variant of a device: $name"
else
    bad "variant of a device: got '$name'"
fi
if line=$($gen name key="$keys/ec256.pub.pem" sig=rsa2048 2>&1); then
    bad "a key of another type than sig: accepted"
elif [ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] &&
    [[ $line == *"is an ec256 key, but sig = rsa2048" ]]; then
    ok "a key of another type than sig: $line"
else
    bad "a key of another type than sig: '$line'"
fi

# The tree before the fix of mcuboot#1966 has no swap-offset.
if [ -d "$shared/peers/mcuboot-1966/boot/bootutil" ]; then
    expect_line "mode missing" "mode swap-offset (MCUBOOT_SWAP_USING_OFFSET) is not in" \
        MCUBOOT_SRC="$shared/peers/mcuboot-1966" \
        MCUBOOT_VARIANTS=swap-offset_ec256_a8_s512_i1_vp1_dg0_hk0 mcuboot
fi

echo "mcuboot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
