#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: brownoutd's integration tests (tests/integration/test_daemon.py) against the
# programs of $BUILD (default build). FUSE tests skip themselves where /dev/fuse is unavailable.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_daemon.py" "$@"
