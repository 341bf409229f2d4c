#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: a fleet of 200 devices in one brownoutd, and limits too low refused at start
# (tests/integration/test_fleet.py) against the programs of $BUILD (default build).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_fleet.py" "$@"
