#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: over-the-air updates over CoAPs against brownoutd's devices with real clients
# (tests/integration/test_ota.py: Debian's coap-client-openssl/-gnutls and openssl s_client),
# using the programs of $BUILD (default build). Tests whose client is missing skip themselves.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_ota.py" "$@"
