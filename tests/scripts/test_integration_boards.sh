#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: every shipped board through brownoutd and the CLI (boot, test swap, confirm,
# reset) and a depth-1 sweep of every mode each board claims (tests/integration/test_boards.py),
# against the programs of $BUILD (default build).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_boards.py" "$@"
