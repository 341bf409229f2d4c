#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make check: core/ includes no OS or host header (scripts/check_core_purity.sh).
set -eu
cd "$(dirname "$0")/../.."
scripts/check_core_purity.sh core
echo "core purity: 1 passed, 0 failed"
