#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: `brownout sweep` on the user's own images, keys and configuration
# (tests/integration/test_sweep_own.py) against the programs of $BUILD (default build).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_sweep_own.py" "$@"
