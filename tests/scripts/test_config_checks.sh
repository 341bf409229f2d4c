#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# make check: the core's configuration checks (issue 8).
#  1. the committed core/config/config_check_*.h equal what scripts/generate_config_checks.py
#     generates now (regenerated into a temporary directory), and that comparison is shown to
#     catch a changed option history; likewise scripts/config_history/mcuboot.derived and what
#     scripts/extract_mcuboot_derived.py extracts from the MCUboot tree in ../shared/peers
#     (BROWNOUT_SHARED), when that tree is present;
#  2. tests/config/run_config_tests.py compiles core/config/config.c with every configuration of
#     tests/config/cases.txt using the core's own flags ($BUILD/config/core_cflags.txt, written
#     by make config-flags), and proves each rejecting case against a mutant without its check;
#     with the MCUboot tree, MCUboot's configuration template and its options are cases too;
#  3. with the MCUboot tree, tests/config/compare_bootloaders.py gives the same device settings
#     to upstream MCUboot and to the core and compares what each accepts.
set -u
root=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
cd "$root"
passed=0
failed=0

if scripts/generate_config_checks.py --check; then
    passed=$((passed + 1))
else
    echo "FAIL: core/config/config_check_*.h are out of date (run make config-generate)"
    failed=$((failed + 1))
fi

# The comparison must notice a change: an option added to a copy of the current history.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/scripts" "$tmp/core"
cp -r scripts/config_checks.txt scripts/config_history "$tmp/scripts/"
cp -r core/config "$tmp/core/"
latest=$(ls "$tmp/scripts/config_history/"*.txt | sort -V | tail -n 1)
echo "option BROWNOUT_PLANTED_OPTION" >> "$latest"
if scripts/generate_config_checks.py --root "$tmp" --check > "$tmp/out" 2>&1; then
    echo "FAIL: --check accepted headers generated from a different history"
    failed=$((failed + 1))
elif ! grep -q BROWNOUT_PLANTED_OPTION "$tmp/out"; then
    echo "FAIL: --check failed without showing the planted option:"; cat "$tmp/out"
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi

# MCUboot's derived names: the checked-in list equals what the MCUboot tree gives now, and the
# comparison notices a name missing from it. Without the tree the checked-in list is used.
shared=${BROWNOUT_SHARED:-$root/../shared}
mcuboot=$shared/peers/mcuboot
export BROWNOUT_SHARED=$shared
if [ -d "$mcuboot/boot/bootutil" ]; then
    if scripts/extract_mcuboot_derived.py --tree "$mcuboot" --check; then
        passed=$((passed + 1))
    else
        echo "FAIL: scripts/config_history/mcuboot.derived differs from $mcuboot"
        failed=$((failed + 1))
    fi
    grep -v '^derived BOOT_MAX_ALIGN ' scripts/config_history/mcuboot.derived > "$tmp/derived"
    if scripts/extract_mcuboot_derived.py --tree "$mcuboot" --check --output "$tmp/derived" \
        > "$tmp/out" 2>&1 || ! grep -q '^+derived BOOT_MAX_ALIGN ' "$tmp/out"; then
        echo "FAIL: --check did not notice BOOT_MAX_ALIGN missing from the list:"; cat "$tmp/out"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
else
    echo "skip: no MCUboot tree at $mcuboot (BROWNOUT_SHARED):" \
        "the checked-in scripts/config_history/mcuboot.derived is used"
fi

flags=$build/config/core_cflags.txt
if [ ! -s "$flags" ]; then
    echo "FAIL: $flags is missing (make BUILD=... config-flags writes it)"
    failed=$((failed + 1))
elif tests/config/run_config_tests.py --flags "$flags"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

# The same device settings in both bootloaders: what upstream MCUboot and the core accept.
if [ ! -s "$flags" ]; then
    :
elif [ ! -d "$mcuboot/boot/bootutil" ]; then
    echo "skip: no MCUboot tree at $mcuboot: the two bootloaders are not compared"
elif tests/config/compare_bootloaders.py --flags "$flags" --mcuboot "$mcuboot"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

# The comparison must notice a difference nobody wrote down: the hardware-key variant, which
# only upstream accepts, expected to be accepted by both.
if [ -s "$flags" ] && [ -d "$mcuboot/boot/bootutil" ]; then
    v=swap-scratch_ec256_a8_s512_i1_vp1_dg0_hk1
    echo "$v both-accept" > "$tmp/bootloaders.txt"
    if tests/config/compare_bootloaders.py --flags "$flags" --mcuboot "$mcuboot" \
        --expect "$tmp/bootloaders.txt" > "$tmp/out" 2>&1 || ! grep -q "^FAIL *$v" "$tmp/out"; then
        echo "FAIL: compare_bootloaders.py did not notice an unlisted difference:"; cat "$tmp/out"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
fi

echo "config checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
