#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: a flood of half-open DTLS handshakes (cookie echoed, then silence) against a
# device of brownoutd while Debian's coap-client-openssl keeps getting GET /fw
# (tests/integration/test_dtls_flood.py; issue 15 item 3), using the programs of $BUILD
# (default build). The test skips itself when coap-client-openssl is missing.
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export BROWNOUT_ROOT="$ROOT"
export BUILD="${BUILD:-build}"
exec python3 -W error::ResourceWarning "$ROOT/tests/integration/test_dtls_flood.py" "$@"
