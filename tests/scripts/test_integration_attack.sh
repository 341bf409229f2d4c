#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: the standing attack suite of brownoutd (tests/integration/test_attack.py), short
# form, against the programs of $BUILD (default build). BROWNOUT_SOAK=1 runs the long form
# (make soak). FUSE tests skip themselves where /dev/fuse is unavailable.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_attack.py" "$@"
