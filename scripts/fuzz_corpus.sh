#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Regenerates the seed corpora fuzz/corpus/TARGET from the fixtures, then keeps them small with
# afl-cmin (when the AFL++ build of the target exists: make fuzz-afl).
#
#   scripts/fuzz_corpus.sh [--no-cmin] [TARGET...]      (default: every target)
#
# Seeds: image - imgtool's interop images and images signed here with every key type (hash-only,
# KEYHASH and PUBKEY, protected TLVs), each with the harness's control byte variants; trailer -
# the trailers `brownout image sign --pad` writes for each max-align, write unit, erased value
# and mode; boot - every mode, part, slot contents and request; powercut - a cut at a spread of
# operations with each fault model, at depth 1 and 2, for each scenario; control - one line per
# command of brownoutd with valid arguments, and a few malformed ones; board - the fixture
# boards; coap - the OTA flow's datagrams (upload, pending, confirm, reboot, bad images); dtls -
# handshakes recorded against the harness's own server. The input formats are in fuzz/TARGET.c.
# Needs $BUILD/bin/brownout (make; BROWNOUT_TOOL names another brownout) and python3. BUILD
# defaults to build.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac
tool=${BROWNOUT_TOOL:-$build/bin/brownout}
interop="${BROWNOUT_SHARED:-$top/../shared}/interop/imgtool"
cmin=1

die() {
    echo "fuzz_corpus.sh: $*" >&2
    exit 1
}

targets=()
for a in "$@"; do
    case "$a" in
        --no-cmin) cmin=0 ;;
        -h|--help) sed -n '4,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option '$a'" ;;
        *) targets+=("$a") ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for f in "$top"/fuzz/*.c; do targets+=("$(basename "$f" .c)"); done
fi
[ -x "$tool" ] || die "$tool is missing (run make first)"

mkdir -p "$build/fuzz"
work=$(mktemp -d "$build/fuzz/corpus-work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Signs a payload: sign OUT ARGS... (the payload is $work/payload.bin).
sign() {
    local out=$1
    shift
    "$tool" image sign "$@" "$work/payload.bin" "$out" > /dev/null
}

seed_image() {
    local d=$1 k=$top/fixtures/keys
    local imgs=()
    { head -c 32 /dev/zero; head -c 224 /dev/zero | tr '\0' '\132'; } > "$work/payload.bin"
    sign "$work/i-ec256.bin" -k "$k/ec256.pem" -v 1.2.3+4
    sign "$work/i-ec256-full.bin" -k "$k/ec256.pem" -v 1.0.0 --public-key-format full
    sign "$work/i-ec256-prot.bin" -k "$k/ec256.pem" -v 2.0.0 -s 7 -d "(1,1.0.0), (0,0.5.0)"
    sign "$work/i-ec384.bin" -k "$k/ec384.pem" -v 1.0.0
    sign "$work/i-rsa2048.bin" -k "$k/rsa2048.pem" -v 1.0.0
    sign "$work/i-rsa3072.bin" -k "$k/rsa3072.pem" -v 1.0.0 -s auto
    sign "$work/i-hash.bin" -v 1.0.0
    sign "$work/i-hdr.bin" -k "$k/ec256.pem" -H 0x200 --pad-header -L 0x20000000
    sign "$work/i-nonboot.bin" -k "$k/ec256.pem" --non-bootable
    imgs+=("$work"/i-*.bin)
    for f in ec256-keyhash.bin rsa2048.bin hash-only.bin ec256-tampered-sig.bin; do
        [ -f "$interop/$f" ] && imgs+=("$interop/$f")
    done
    for f in "${imgs[@]}"; do
        for c in 00 01 02 03 04 0a 0e; do
            { printf '%b' "\\x$c"; cat "$f"; } > "$d/$(basename "$f" .bin)-$c"
        done
    done
}

# The trailer harness input: config bytes, tail lengths, render request, the three tails.
seed_trailer() {
    local d=$1 ma wu er conf
    head -c 64 /dev/zero > "$work/payload.bin"
    for ma in 8 16 32; do
        for wu in 1 4 8 32; do
            [ "$wu" -le "$ma" ] || continue
            for er in 0xff 0; do
                for conf in --confirm --test; do
                    sign "$work/t-$ma-$wu-$er$conf.bin" -S 32768 $conf --align "$wu" \
                        --max-align "$ma" -R "$er" -M 4
                done
            done
        done
    done
    python3 - "$work" "$d" <<'EOF'
import os, struct, sys
work, out = sys.argv[1], sys.argv[2]
n = 0
for name in sorted(os.listdir(work)):
    if not name.startswith('t-'):
        continue
    ma, wu, er = name[2:].split('-')[:3]
    ma, wu = int(ma), int(wu)
    erased0 = er.startswith('0') and not er.startswith('0x')
    test = 'test' in name
    data = open(os.path.join(work, name), 'rb').read()
    tail = data[-512:]
    masel = {8: 0, 16: 1, 32: 2}[ma]
    for mode in range(4):
        for call in range(4):
            b0 = masel | (wu.bit_length() - 1) << 2 | (0x20 if erased0 else 0) | mode << 6
            b1 = 4 | call << 5
            # Primary: a confirmed or a test trailer; secondary: the other; scratch: empty.
            pri, sec = (tail, tail) if call == 0 else (tail, b'')
            body = bytes([b0, b1]) + struct.pack('<HHH', len(pri), len(sec), 0)
            body += bytes([0x0f, 3, 0, 0x10, 0, 0, 0, 0]) + pri + sec
            open(os.path.join(out, 't%03d' % n), 'wb').write(body)
            n += 1
EOF
}

seed_boot() {
    local d=$1 m p s r
    for m in 0 1 2 3; do
        for p in 0 1 2 3; do
            for s in 0x21 0x12 0x31 0x41 0x51 0x01 0x20; do
                for r in 0 1 2 6 9; do
                    printf '%b' "\\x$(printf %02x $((m | p << 2)))\\x${s#0x}\\x$(printf %02x "$r")" \
                        > "$d/m$m-p$p-s$s-r$r"
                done
            done
        done
    done
    # A patched header, a patched trailer magic and a torn status record.
    printf '\x05\x21\x01\x00\x00\x00\x04\x3d\xb8\xf3\x97' > "$d/patch-header"
    printf '\x01\x21\x01\x05\x00\x00\x10%b' \
        '\x77\xc2\x95\xf3\x60\xd2\xef\x7f\x35\x52\x50\x0f\x2c\xb6\x79\x80' > "$d/patch-magic"
    printf '\x01\x21\x02\x04\x10\x00\x04\x01\x01\x01\x01' > "$d/patch-status"
}

seed_powercut() {
    python3 - "$1" <<'EOF'
import os, struct, sys
out = sys.argv[1]
n = 0
for sc in range(40):
    for model in range(6):
        for op in (0, 3, 17, 60):
            data = bytes([sc, 0]) + struct.pack('<HBHI', op + sc, model, 0xffff, sc * 7 + model)
            open(os.path.join(out, 'c%04d' % n), 'wb').write(data)
            n += 1
    data = bytes([sc, 1]) + struct.pack('<HBHI', 9, 2, 1, 5) + struct.pack('<HBHI', 4, 5, 0xffff, 6)
    open(os.path.join(out, 'c%04d' % n), 'wb').write(data)
    n += 1
EOF
}

seed_control() {
    python3 - "$1" <<'EOF'
import json, os, sys
out = sys.argv[1]
dev = {"device": "dev0"}
cmds = [
    ("query-version", None), ("query-commands", None), ("events", {"enable": True}),
    ("events", {"enable": False}), ("quit", None), ("query-status", None),
    ("query-status", dev), ("query-devices", None), ("query-flash", dev), ("power-on", dev),
    ("power-off", dev), ("reset", dev), ("power-cut", {"device": "dev0", "now": True}),
    ("power-cut", {"device": "dev0", "at-op": 12, "fault": "torn-prefix", "units": 1,
                   "seed": 9}),
    ("power-cut", {"device": "dev0", "at-op": 3, "fault": "erase-partial", "permille": 500}),
    ("flash-read", {"device": "dev0", "offset": 49152, "length": 32}),
    ("flash-read", {"device": "dev0", "flash": "internal", "offset": 0, "length": 4}),
    ("flash-write", {"device": "dev0", "offset": 49152, "data": "PbjzlgAAAAAgAAAA"}),
    ("flash-erase", {"device": "dev0", "offset": 49152, "length": 4096}),
    ("image-info", {"device": "dev0", "slot": "primary"}),
    ("image-info", {"device": "dev0", "slot": "1-secondary"}),
    ("image-load", {"device": "dev0", "slot": "secondary", "path": "/nonexistent.bin"}),
    ("confirm", dev), ("inject-crash", {"device": "dev0", "how": "segv"}),
]
n = 0
for name, args in cmds:
    req = {"execute": name}
    if args is not None:
        req["arguments"] = args
    for rid in (None, 1, "a", [1, {"b": None}]):
        r = dict(req)
        if rid is not None:
            r["id"] = rid
        open(os.path.join(out, 'c%03d' % n), 'w').write(json.dumps(r))
        n += 1
for bad in ['', '{', 'null', '[]', '{"execute":5}', '{"execute":"nope"}',
            '{"execute":"flash-read","arguments":{"device":"dev0","offset":-1,"length":1}}',
            '{"execute":"flash-write","arguments":{"device":"dev0","offset":0,"data":"@@"}}',
            '{"execute":"query-status","arguments":{"device":"dev0","x":1}}',
            '{"execute":"query-version"}\n\n{"execute":"query-version","id":2}\r\n',
            '{"execute":"power-cut","arguments":{"device":"dev9","now":true}}']:
    open(os.path.join(out, 'b%03d' % n), 'w').write(bad)
    n += 1
EOF
}

seed_coap() {
    local d=$1
    { head -c 32 /dev/zero; head -c 1468 /dev/zero | tr '\0' '\045'; } > "$work/payload.bin"
    sign "$work/v2.bin" -k "$top/fixtures/keys/ec256.pem" -v 2.0.0
    sign "$work/v3-untrusted.bin" -k "$top/fixtures/keys/interop-ec256-other.pem" -v 3.0.0
    python3 - "$work" "$d" <<'EOF2'
import os, struct, sys
work, out = sys.argv[1], sys.argv[2]
CON, NON, ACK, RST = 0, 1, 2, 3
GET, POST, PUT = 1, 2, 3
def opt_hdr(v):
    if v < 13: return v, b''
    if v < 269: return 13, bytes([v - 13])
    return 14, struct.pack('>H', v - 269)
def coap(t, code, mid, token=b'\x42', opts=(), payload=b''):
    m = bytes([0x40 | t << 4 | len(token), code]) + struct.pack('>H', mid) + token
    last = 0
    for num, val in sorted(opts, key=lambda o: o[0]):
        d, dx = opt_hdr(num - last)
        l, lx = opt_hdr(len(val))
        m += bytes([d << 4 | l]) + dx + lx + val
        last = num
    if payload:
        m += b'\xff' + payload
    return m
def uint(v):
    b = v.to_bytes(4, 'big').lstrip(b'\0')
    return b
def path(p):
    return [(11, seg.encode()) for seg in p.split('/')]
def block(num, more, szx):
    return uint(num << 4 | more << 3 | szx)
def rec(msg, dt=1, peer=0, gone=0):
    return bytes([peer | gone << 2 | dt << 3]) + struct.pack('<H', len(msg)) + msg
def upload(img, szx, mid, t=CON):
    size = 1 << (szx + 4)
    msgs = []
    n = (len(img) + size - 1) // size
    for i in range(n):
        chunk = img[i * size:(i + 1) * size]
        opts = path('fw/upload') + [(27, block(i, 1 if i < n - 1 else 0, szx)), (12, uint(42))]
        if i == 0:
            opts.append((60, uint(len(img))))
        msgs.append(coap(t, PUT, mid + i, b'\x10' + bytes([i]), opts, chunk))
    return msgs
v2 = open(os.path.join(work, 'v2.bin'), 'rb').read()
bad = open(os.path.join(work, 'v3-untrusted.bin'), 'rb').read()
flows = {
    'wk': [coap(CON, GET, 1, opts=path('.well-known/core'))],
    'fw': [coap(CON, GET, 2, opts=path('fw')),
           coap(CON, GET, 3, opts=path('fw') + [(23, block(1, 0, 2))]),
           coap(NON, GET, 4, opts=path('fw') + [(17, uint(50))])],
    'up-test': upload(v2, 5, 10) + [coap(CON, POST, 40, opts=path('fw/pending'), payload=b'test')],
    'up-perm': upload(v2, 6, 10) + [coap(CON, POST, 40, opts=path('fw/pending'),
                                         payload=b'permanent'),
                                    coap(CON, GET, 41, opts=path('fw'))],
    'up-bad': upload(bad, 5, 10) + [coap(CON, POST, 40, opts=path('fw/pending'), payload=b'test')],
    'up-non': upload(v2, 4, 10, NON) + [coap(NON, POST, 200, opts=path('fw/pending'),
                                             payload=b'test')],
    'confirm': [coap(CON, POST, 5, opts=path('fw/confirm')),
                coap(CON, POST, 5, opts=path('fw/confirm')),
                coap(CON, POST, 6, opts=path('reboot'))],
    'misc': [coap(CON, 0, 7, token=b''), coap(RST, 0, 8, token=b''), coap(ACK, 0, 9, token=b''),
             coap(CON, GET, 11, opts=path('nope')), coap(CON, PUT, 12, opts=path('fw')),
             coap(CON, GET, 13, opts=path('fw') + [(35, b'coap://x')]),
             coap(CON, GET, 14, opts=path('fw') + [(9, b'\x01')]),
             coap(CON, 0x45, 15)],
}
n = 0
for name, msgs in flows.items():
    for b0 in (0, 1, 2, 4, 8, 12):
        body = bytes([b0]) + b''.join(rec(m) for m in msgs)
        open(os.path.join(out, '%s-%02x' % (name, b0)), 'wb').write(body)
        n += 1
# A resumed upload: the first half, the peer gone, then the rest from another peer.
msgs = upload(v2, 5, 10)
body = bytes([4]) + b''.join(rec(m) for m in msgs[:2]) + rec(msgs[2], gone=1)
body += b''.join(rec(m, peer=1) for m in msgs[2:])
open(os.path.join(out, 'resume'), 'wb').write(body)
EOF2
}

# Recorded handshakes: the harness runs a client against its own server set-up and writes what
# the client sent (FUZZ_DTLS_RECORD, see fuzz/dtls.c).
seed_dtls() {
    local d=$1 bin
    for bin in "$build/fuzz/replay/bin/dtls" "$build/fuzz/afl/bin/dtls" ""; do
        [ -z "$bin" ] || [ -x "$bin" ] && break
    done
    [ -n "$bin" ] || die "no dtls binary to record with (make fuzz-replay-bins)"
    BROWNOUT_ROOT="$top" FUZZ_DTLS_RECORD="$d" "$bin" > /dev/null ||
        die "recording the DTLS handshakes failed"
    # The same handshakes with a retransmission timer expiring after the first flight.
    python3 - "$d" <<'EOF2'
import os, sys
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    data = open(os.path.join(d, name), 'rb').read()
    n = data[0] | data[1] << 8
    open(os.path.join(d, name + '-timer'), 'wb').write(data[:2 + n] + b'\xff\xff' + data[2 + n:])
EOF2
}

seed_board() {
    cp "$top"/fixtures/boards/*.ini "$1/"
}

for t in "${targets[@]}"; do
    raw="$work/raw-$t"
    dest="$top/fuzz/corpus/$t"
    mkdir -p "$raw"
    if ! declare -F "seed_$t" > /dev/null; then
        echo "fuzz_corpus.sh: no seed generator for $t (keeping fuzz/corpus/$t)" >&2
        continue
    fi
    "seed_$t" "$raw"
    rm -rf "$dest"
    mkdir -p "$dest"
    bin="$build/fuzz/afl/bin/$t"
    if [ $cmin -eq 1 ] && [ -x "$bin" ]; then
        AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 BROWNOUT_ROOT="$top" \
            afl-cmin -i "$raw" -o "$work/cmin-$t" -t 5000 -- "$bin" > "$work/cmin-$t.log" 2>&1 ||
            { cat "$work/cmin-$t.log" >&2; die "afl-cmin failed for $t"; }
        cp "$work/cmin-$t"/* "$dest/"
    else
        cp "$raw"/* "$dest/"
    fi
    echo "fuzz_corpus.sh: $t: $(ls "$raw" | wc -l) seeds -> $(ls "$dest" | wc -l) in fuzz/corpus/$t"
done
