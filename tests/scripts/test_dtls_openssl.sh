#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Real peers that no one here wrote: openssl s_client -dtls1_2 completes a PSK handshake and a
# certificate handshake (client certificate required) with the DTLS server, and its line comes
# back from the echo server (test_dtls_server --serve); a wrong PSK and an untrusted client
# certificate fail. When Debian's libcoap clients are installed, coap-client-openssl and
# coap-client-gnutls complete PSK and certificate handshakes too (their debug log says
# "session connected"; the echo server is no CoAP server, so nothing more is checked).
#
# Environment: BROWNOUT_ROOT (the source tree, default .), BUILD (default build).
set -uo pipefail

root=${BROWNOUT_ROOT:-.}
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
server=$build/tests/unit/port/linux/dtls/test_dtls_server
pki=$root/fixtures/pki

if ! command -v openssl >/dev/null; then
    echo "SKIP: openssl not installed"
    exit 0
fi
if [ ! -x "$server" ]; then
    echo "FAIL: $server not built"
    exit 1
fi

tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

start_server() {
    rm -f "$tmp/port"
    BROWNOUT_ROOT=$root "$server" --serve "$1" "$tmp/port" 60 > "$tmp/server-$1.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        [ -s "$tmp/port" ] && break
        sleep 0.05
    done
    port=$(cat "$tmp/port" 2>/dev/null)
    [ -n "$port" ] || { echo "FAIL: server ($1) did not start"; cat "$tmp/server-$1.log"; exit 1; }
}

stop_server() {
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
}

# client NAME EXPECT(ok|fail) ARGS...: sends a line, keeps stdin open long enough for the echo.
fails=0
client() {
    local name=$1 expect=$2
    shift 2
    local msg="brownout-echo-$name"
    (echo "$msg"; sleep 1) | timeout 15 openssl s_client -dtls1_2 -connect "127.0.0.1:$port" \
        "$@" > "$tmp/$name.out" 2>&1
    local echoed=0
    # The echo is the line printed by s_client after the handshake (besides our own input).
    if [ "$(grep -c "^$msg\$" "$tmp/$name.out")" -ge 1 ] && \
        grep -q "Cipher is\|Cipher    :" "$tmp/$name.out"; then
        echoed=1
    fi
    if [ "$expect" = ok ] && [ $echoed = 1 ]; then
        echo "ok: $name"
    elif [ "$expect" = fail ] && [ $echoed = 0 ]; then
        echo "ok: $name (refused as expected)"
    else
        echo "FAIL: $name (expected $expect)"
        sed 's/^/    /' "$tmp/$name.out" | tail -30
        fails=$((fails + 1))
    fi
}

# coap NAME FLAVOUR ARGS...: a libcoap client's DTLS handshake.
coap() {
    local name=$1 flavour=$2
    shift 2
    command -v "coap-client-$flavour" >/dev/null || { echo "skip: $name (no libcoap)"; return; }
    timeout 10 "coap-client-$flavour" -v 7 -B 1 -m get "$@" "coaps://127.0.0.1:$port/fw" \
        > "$tmp/$name.out" 2>&1
    if grep -q "session connected" "$tmp/$name.out"; then
        echo "ok: $name"
    else
        echo "FAIL: $name"
        grep -i "error\|alert\|fail" "$tmp/$name.out" | tail -10 | sed 's/^/    /'
        fails=$((fails + 1))
    fi
}

# libcoap takes the key as text: "secretkey" in hex.
DTLS_PSK_HEX=7365637265746b6579 start_server psk
coap coap-openssl-psk openssl -u brownout-test -k secretkey
coap coap-gnutls-psk gnutls -u brownout-test -k secretkey
stop_server

start_server psk
client psk ok -psk_identity brownout-test -psk 000102030405060708090a0b0c0d0e0f
client psk-wrong-key fail -psk_identity brownout-test -psk 0f0e0d0c0b0a09080706050403020100
stop_server
cat "$tmp/server-psk.log"

start_server cert
client cert ok -CAfile "$pki/ca.pem" -verify_return_error -verify_hostname localhost \
    -cert "$pki/client.pem" -key "$pki/client.key"
client cert-untrusted fail -CAfile "$pki/ca.pem" -cert "$pki/other-client.pem" \
    -key "$pki/other-client.key"
coap coap-openssl-cert openssl -c "$pki/client.pem" -j "$pki/client.key" -C "$pki/ca.pem"
coap coap-gnutls-cert gnutls -c "$pki/client.pem" -j "$pki/client.key" -C "$pki/ca.pem"
stop_server
cat "$tmp/server-cert.log"

[ $fails -eq 0 ] && echo "PASS: openssl s_client -dtls1_2 and libcoap (PSK and certificate)"
[ $fails -eq 0 ]
