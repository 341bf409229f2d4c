#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: the `weak` power-cut model in brownoutd (tests/integration/test_weak.py) against
# the programs of $BUILD (default build): weak bits outlive the firmware process, reach the next
# power-on, read unstably until erased or rewritten.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_weak.py" "$@"
