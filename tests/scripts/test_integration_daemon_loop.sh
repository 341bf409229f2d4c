#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: how brownoutd starts firmware processes, and its loop counters
# (tests/integration/test_daemon_loop.py) against the programs of $BUILD (default build).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_daemon_loop.py" "$@"
