#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Generates the test signing keys of fixtures/keys with openssl: NAME.pem (PKCS#8 private key)
# and NAME.pub.pem (SubjectPublicKeyInfo) for ec256, ec384, rsa2048 and rsa3072, and copies the
# imgtool interop keys as interop-NAME.pem / interop-NAME.pub.pem. TEST KEYS ONLY.
#
#   scripts/gen_keys.sh [OUTDIR] [SHARED]     (default fixtures/keys and ../shared)
#
# Existing keys are kept (images signed with them stay valid); delete a file to regenerate it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/fixtures/keys}
shared=${2:-${BROWNOUT_SHARED:-$root/../shared}}
mkdir -p "$out"

gen() {
    local name=$1
    shift
    if [ ! -f "$out/$name.pem" ]; then
        openssl genpkey "$@" -out "$out/$name.pem" 2>/dev/null
        chmod 0644 "$out/$name.pem"
    fi
    openssl pkey -in "$out/$name.pem" -pubout -out "$out/$name.pub.pem"
}

gen ec256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve
gen ec384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve
gen rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
gen rsa3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072

keys=$shared/interop/imgtool/keys
if [ -d "$keys" ]; then
    for f in "$keys"/*.pem; do
        cp "$f" "$out/interop-$(basename "$f")"
        chmod 0644 "$out/interop-$(basename "$f")"
    done
else
    echo "gen_keys.sh: $keys not found; interop keys not copied" >&2
fi
