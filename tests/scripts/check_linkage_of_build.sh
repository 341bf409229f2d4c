#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make check: the built Mbed TLS carries the port hooks and no binary needs a system libmbed*.
set -eu
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086
scripts/check_linkage.sh --lib "${LIB_MBEDTLS:?}" ${CHECK_BINARIES:-}
echo "linkage: 1 passed, 0 failed"
