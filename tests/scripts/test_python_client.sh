#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: the Python client (python/brownout) and its pytest plugin, tested against the
# programs of $BUILD (default build): tests/python, then the example suite of docs/examples
# as a user runs it. Needs Debian's python3-pytest (scripts/deps.sh installs it). pytest's
# exit status 5 (no test collected) fails like any other.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
export PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1

# The first python3 that has pytest: the one on PATH, else Debian's.
py=
for p in python3 /usr/bin/python3; do
    if command -v "$p" > /dev/null && "$p" -c 'import pytest' 2> /dev/null; then
        py=$p
        break
    fi
done
if [ -z "$py" ]; then
    echo "test_python_client.sh: no python3 with pytest (install python3-pytest)" >&2
    exit 1
fi

cd "$ROOT"
"$py" -m pytest -q -p no:cacheprovider tests/python "$@"
"$py" -m pytest -q -p no:cacheprovider docs/examples "$@"
