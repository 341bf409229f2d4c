#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks how brownout is linked against Mbed TLS:
#   - every ELF binary given must not need a shared libmbed* library (the project compiles its own
#     pristine Mbed TLS with the port's configuration and links it statically);
#   - the static library given with --lib must define mbedtls_platform_set_calloc_free (proof it
#     was built with MBEDTLS_PLATFORM_MEMORY from port/linux/mbedtls_config.h).
#
#   scripts/check_linkage.sh [--lib LIBMBEDTLS.a] BINARY...
set -euo pipefail

lib=""
if [ "${1:-}" = "--lib" ]; then
    lib=$2
    shift 2
fi
bad=0
if [ -n "$lib" ]; then
    if ! grep -q ' T mbedtls_platform_set_calloc_free$' < <(nm "$lib" 2>/dev/null); then
        echo "$lib: does not define mbedtls_platform_set_calloc_free" >&2
        bad=1
    fi
fi
for bin in "$@"; do
    needed=$(readelf -d "$bin" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    if printf '%s\n' "$needed" | grep -q '^libmbed'; then
        echo "$bin: linked against a system Mbed TLS ($(printf '%s ' $(printf '%s\n' "$needed" | grep '^libmbed')))" >&2
        bad=1
    fi
done
exit $bad
