#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# scripts/fetch_mbedtls.sh with a broken MBEDTLS_SRC: each case fails with one line that says
# why, and leaves no make fragment behind; a good tree (the one the build uses) is accepted.
set -u

here=$(cd "$(dirname "$0")" && pwd)
fetch="$here/../../scripts/fetch_mbedtls.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

expect_fail() {
    local name=$1 src=$2 text=$3 out rc
    out=$("$fetch" --deps "$tmp/deps" --mk "$tmp/out.mk" --src "$src" 2>&1); rc=$?
    if [ $rc -ne 0 ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
       printf '%s' "$out" | grep -qF -- "$text" && ! [ -e "$tmp/out.mk" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL: $name: rc=$rc output: $out"
        failed=$((failed + 1))
    fi
}

expect_fail "missing directory" "$tmp/nowhere" "no such directory"
mkdir -p "$tmp/empty"
expect_fail "not a tree" "$tmp/empty" "not an Mbed TLS tree"
mkdir -p "$tmp/old/include/mbedtls" "$tmp/old/library"
touch "$tmp/old/library/ssl_tls.c"
printf '#define MBEDTLS_VERSION_STRING         "2.28.8"\n' > "$tmp/old/include/mbedtls/build_info.h"
expect_fail "wrong branch" "$tmp/old" "needs the 3.6 LTS branch"

good=$(ls -d "$here"/../../build/deps/mbedtls-3.6.* 2>/dev/null | head -n 1)
if [ -n "$good" ]; then
    if "$fetch" --deps "$tmp/deps" --mk "$tmp/good.mk" --src "$good" 2>/dev/null &&
       grep -q '^MBEDTLS_VERSION := 3\.6\.' "$tmp/good.mk" &&
       grep -q 'ssl_tls.c' "$tmp/good.mk"; then
        passed=$((passed + 1))
    else
        echo "FAIL: a good tree is not accepted"
        failed=$((failed + 1))
    fi
fi

echo "fetch_mbedtls: $passed passed, $failed failed"
[ $failed -eq 0 ]
