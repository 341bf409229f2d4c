#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs what brownout needs on a Debian bookworm machine, and nothing that is already there.
#
#   scripts/deps.sh            install missing packages, add the trixie deb-src entry
#   scripts/deps.sh --check    only report what is missing (exit 1 if anything is)
#
# It is idempotent: a second run finds everything present and returns at once. Without root and
# with something missing it prints the exact apt-get command to run and fails. Every failure is
# one line on stderr and a non-zero exit; the full apt output goes to build/deps/deps.log.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
log_dir="$top/build/deps"
log="$log_dir/deps.log"

# The packages, one concern per line. A later feature adds its package here.
# BROWNOUT_DEPS_PACKAGES replaces the list (the tests of this script use it).
packages=(
    build-essential pkg-config make python3 clang-format
    libuv1-dev
    libfuse3-dev fuse3
    libcmocka-dev
    afl++ clang llvm libclang-rt-14-dev
    libjansson-dev libinih-dev libsystemd-dev
    openssl libcoap3-bin
    python3-cryptography python3-click python3-intelhex python3-cbor2
    python3-pytest
    parallel
    gcc-arm-none-eabi libnewlib-arm-none-eabi
    dpkg-dev xz-utils ca-certificates
)

if [ -n "${BROWNOUT_DEPS_PACKAGES:-}" ]; then
    read -r -a packages <<< "$BROWNOUT_DEPS_PACKAGES"
fi

# Mbed TLS comes from Debian's source package of trixie: a source-only entry, never binaries.
src_list=/etc/apt/sources.list.d/brownout-trixie-src.list
src_line="deb-src http://deb.debian.org/debian trixie main"

die() {
    echo "deps.sh: $*" >&2
    exit 1
}

check_only=0
case "${1:-}" in
    --check) check_only=1 ;;
    "") ;;
    -h|--help)
        sed -n '4,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown option '$1' (try --help)" ;;
esac

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done

# The entry must be there and apt must know the 3.6 source package (an earlier run may have
# written the entry and then lost its network before the index came).
need_src=0
if ! [ -f "$src_list" ] || ! grep -qxF "$src_line" "$src_list" ||
   ! apt-cache showsrc mbedtls 2>/dev/null | grep -q '^Version: 3\.6\.'; then
    need_src=1
fi

if [ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ]; then
    exit 0
fi

if [ $check_only -eq 1 ]; then
    [ ${#missing[@]} -eq 0 ] || echo "deps.sh: missing packages: ${missing[*]}" >&2
    [ $need_src -eq 0 ] || echo "deps.sh: apt does not know Debian trixie's mbedtls 3.6 source package ($src_list)" >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    cmd=""
    if [ $need_src -eq 1 ]; then
        cmd="echo '$src_line' > $src_list && "
    fi
    cmd+="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    die "not root and something is missing; as root run: $cmd"
fi

mkdir -p "$log_dir"
: > "$log"

if [ $need_src -eq 1 ]; then
    # Written atomically so an interrupted run never leaves a half-written entry behind.
    printf '%s\n' "# brownout: Mbed TLS source package only (scripts/deps.sh)" "$src_line" \
        > "$src_list.tmp"
    mv "$src_list.tmp" "$src_list"
fi

if ! apt-get update >>"$log" 2>&1; then
    die "apt-get update failed (no network or no Debian mirror?); see $log"
fi
if grep -qE '^(W|E): Failed to fetch' "$log"; then
    die "apt-get update could not fetch every index (no network?); see $log"
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "deps.sh: installing ${missing[*]}" >&2
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
        die "apt-get install failed for: ${missing[*]}; see $log"
    fi
fi

# Re-check: dpkg must now report every package installed, or the run did not do its job.
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || die "package $p is still not installed; see $log"
done
exit 0
