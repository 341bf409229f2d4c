#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: the standing attack suite of brownoutd (tests/integration/test_attack.py), short
# form, against the programs of $BUILD/san when make check built them, else $BUILD (default
# build). BROWNOUT_SOAK=1 runs the long form (make soak). FUSE tests skip themselves where
# /dev/fuse is unavailable.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
# make check builds AddressSanitizer programs in $BUILD/san before it runs this: the short form
# attacks those when they are there (the test's tearDown fails on any sanitizer report).
case $BUILD in /*) abs=$BUILD ;; *) abs=$ROOT/$BUILD ;; esac
if [ -z "${BROWNOUT_SOAK:-}" ] && [ -x "$abs/san/bin/brownoutd" ]; then
    BUILD="$BUILD/san"
    echo "attack suite: against the AddressSanitizer build ($BUILD/bin)"
fi
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_attack.py" "$@"
