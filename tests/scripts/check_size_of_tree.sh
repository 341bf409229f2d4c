#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The size gate on the whole tree: scripts/check_size.py over core port sim tests fuzz scripts,
# with the exceptions of scripts/size_exceptions.txt. Exits 1 (with one FILE:LINE line each)
# when a file is over 800 lines or a C function over 80.
set -eu

root=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$root/scripts/check_size.py" --root "$root"
