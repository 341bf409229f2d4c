#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Generates the DTLS test PKI of fixtures/pki with openssl, every key ECDSA P-256 (PKCS#8 PEM):
#   ca.pem / ca.key           the trusted CA (devices trust client certificates it signed)
#   device.pem / device.key   a device's certificate (CN brownout-device, SAN localhost and
#                             127.0.0.1, serverAuth), signed by the CA
#   device-chain.pem          device.pem followed by ca.pem
#   client.pem / client.key   a client certificate (CN brownout-client, clientAuth), by the CA
#   other-ca.pem / other-ca.key       a second CA that devices do not trust
#   other-client.pem / other-client.key  a client certificate signed by the untrusted CA
# TEST CREDENTIALS ONLY. The generated files are committed so tests never depend on running this.
#
#   scripts/gen_pki.sh [OUTDIR]       (default fixtures/pki; existing files are kept: delete
#                                      the directory's files to regenerate everything)
set -euo pipefail

out=${1:-fixtures/pki}
days=10000
mkdir -p "$out"
cd "$out"

if [ -f ca.pem ] && [ -f other-client.pem ]; then
    echo "gen_pki: $out already holds a PKI (delete its files to regenerate)"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# ca NAME CN
ca() {
    key "$1.key"
    cat > "$tmp/$1.ext" <<EOT
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOT
    openssl req -new -x509 -sha256 -key "$1.key" -subj "/O=brownout test/CN=$2" -days "$days" \
        -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; \
        cat "$tmp/$1.ext") -out "$1.pem"
}

# leaf NAME CN CA USAGE [SAN]
leaf() {
    key "$1.key"
    {
        echo "basicConstraints = critical, CA:FALSE"
        echo "keyUsage = critical, digitalSignature"
        echo "extendedKeyUsage = $4"
        echo "authorityKeyIdentifier = keyid"
        echo "subjectKeyIdentifier = hash"
        if [ -n "${5:-}" ]; then echo "subjectAltName = $5"; fi
    } > "$tmp/$1.ext"
    openssl req -new -sha256 -key "$1.key" -subj "/O=brownout test/CN=$2" -out "$tmp/$1.csr"
    openssl x509 -req -sha256 -in "$tmp/$1.csr" -CA "$3.pem" -CAkey "$3.key" \
        -set_serial "0x$(openssl rand -hex 8)" -days "$days" -extfile "$tmp/$1.ext" \
        -out "$1.pem" 2>/dev/null
}

ca ca "brownout test CA"
leaf device brownout-device ca serverAuth "DNS:localhost, IP:127.0.0.1"
leaf client brownout-client ca clientAuth
ca other-ca "brownout untrusted CA"
leaf other-client brownout-other-client other-ca clientAuth
cat device.pem ca.pem > device-chain.pem

openssl verify -CAfile ca.pem device.pem client.pem >/dev/null
openssl verify -CAfile other-ca.pem other-client.pem >/dev/null
if openssl verify -CAfile ca.pem other-client.pem >/dev/null 2>&1; then
    echo "gen_pki: other-client.pem must not verify against ca.pem" >&2
    exit 1
fi
echo "gen_pki: wrote $(pwd)"
