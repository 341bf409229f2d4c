#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Proves scripts/check_linkage.sh works: it passes a statically linked program and catches a
# program that needs a shared libmbedcrypto, and a static library without the platform hooks.
set -u

here=$(cd "$(dirname "$0")" && pwd)
check="$here/../../scripts/check_linkage.sh"
lib=${1:-${LIB_MBEDTLS:?usage: test_check_linkage.sh LIBMBEDTLS.a}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

result() {
    if [ "$1" = "$2" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL: $3 (expected $1, got $2)"
        failed=$((failed + 1))
    fi
}

printf 'int main(void) { return 0; }\n' > "$tmp/main.c"
printf 'int mbedtls_fake(void) { return 1; }\n' > "$tmp/fake.c"
printf 'extern int mbedtls_fake(void);\nint main(void) { return mbedtls_fake(); }\n' > "$tmp/uses.c"
cc -o "$tmp/plain" "$tmp/main.c"
cc -shared -fPIC -Wl,-soname,libmbedcrypto.so.99 -o "$tmp/libmbedcrypto.so" "$tmp/fake.c"
cc -o "$tmp/dynamic" "$tmp/uses.c" -L"$tmp" -lmbedcrypto
cc -c -o "$tmp/fake.o" "$tmp/fake.c" && ar rcs "$tmp/libnohooks.a" "$tmp/fake.o"

"$check" --lib "$lib" "$tmp/plain" 2>/dev/null; result 0 $? "static program and real library pass"
"$check" "$tmp/dynamic" 2>/dev/null; result 1 $? "program needing libmbedcrypto.so is caught"
"$check" --lib "$tmp/libnohooks.a" 2>/dev/null; result 1 $? "library without hooks is caught"

echo "check_linkage: $passed passed, $failed failed"
[ $failed -eq 0 ]
