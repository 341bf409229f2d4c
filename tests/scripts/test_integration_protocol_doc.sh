#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: docs/protocol.md's examples run as written (tests/integration/test_protocol_doc.py)
# against daemons of $BUILD (default build).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_protocol_doc.py" "$@"
