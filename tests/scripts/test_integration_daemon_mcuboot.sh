#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: brownoutd devices with bootloader = mcuboot (tests/integration/test_daemon_mcuboot.py)
# against the programs of $BUILD (default build) and the MCUboot tree of
# $BROWNOUT_SHARED/peers/mcuboot (default ../shared beside the repository). brownoutd builds the
# device's variant itself at start. Prints "skipped: no MCUboot tree" when the tree is absent.
# Needs Debian's python3-pytest and python3-intelhex (upstream's imgtool signs the images).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
export BROWNOUT_SHARED="${BROWNOUT_SHARED:-$ROOT/../shared}"
export PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1

if [ ! -d "$BROWNOUT_SHARED/peers/mcuboot/boot/bootutil" ]; then
    echo "skipped: no MCUboot tree ($BROWNOUT_SHARED/peers/mcuboot)"
    exit 0
fi
# The first python3 that has pytest: the one on PATH, else Debian's.
py=
for p in python3 /usr/bin/python3; do
    if command -v "$p" > /dev/null && "$p" -c 'import pytest, intelhex' 2> /dev/null; then
        py=$p
        break
    fi
done
if [ -z "$py" ]; then
    echo "test_integration_daemon_mcuboot.sh: no python3 with pytest and intelhex" >&2
    exit 1
fi
cd "$ROOT"
exec "$py" -m pytest -q -p no:cacheprovider -p brownout.pytest_plugin \
    tests/integration/test_daemon_mcuboot.py "$@"
