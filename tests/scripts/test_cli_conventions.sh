#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: the GNU conventions of every brownout program (tests/integration/
# test_cli_conventions.py): each command's --help and --version, named bad options and exit 64,
# the completion and man page covering every command, the exit table documented, and image
# pending / image confirm on a real daemon, against the programs of $BUILD (default build).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_cli_conventions.py" "$@"
