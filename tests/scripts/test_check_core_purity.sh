#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Proves the core purity check works: it must pass a clean tree and catch each planted fault.
set -u

here=$(cd "$(dirname "$0")" && pwd)
check="$here/../../scripts/check_core_purity.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

expect() {
    local want=$1 name=$2 body=$3 out rc
    rm -rf "$tmp/core" && mkdir -p "$tmp/core/include/port" "$tmp/core/boot"
    printf '#include <stdint.h>\n' > "$tmp/core/include/own.h"
    printf '/* contract */\n' > "$tmp/core/include/port/port_log.h"
    printf '%s\n' "$body" > "$tmp/core/boot/x.c"
    out=$("$check" "$tmp/core" 2>&1)
    rc=$?
    if { [ "$want" = pass ] && [ $rc -eq 0 ]; } || { [ "$want" = fail ] && [ $rc -ne 0 ]; }; then
        passed=$((passed + 1))
    else
        echo "FAIL: $name: expected $want, got rc=$rc: $out"
        failed=$((failed + 1))
    fi
}

expect pass "freestanding and contract headers" \
    $'#include <stdint.h>\n#include <string.h>\n#include "own.h"\n#include "port/port_log.h"\n#include "mbedtls/sha256.h"'
expect fail "stdio" '#include <stdio.h>'
expect fail "unistd" '#include <unistd.h>'
expect fail "sys header" '#  include <sys/mman.h>'
expect fail "pthread" '#include <pthread.h>'
expect fail "libuv" '#include <uv.h>'
expect fail "fuse" '#include <fuse3/fuse_lowlevel.h>'
expect fail "stdlib" '#include <stdlib.h>'
expect fail "quoted host header" '#include "stdio.h"'
expect fail "computed include" '#include HEADER_NAME'

echo "check_core_purity: $passed passed, $failed failed"
[ $failed -eq 0 ]
