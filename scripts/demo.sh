#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The brownout tour (make demo): one simulated nRF52840 boots v1, receives v2 through its FUSE
# view (or the control socket), swaps to it, loses power in the middle of the next swap and
# recovers, then takes v4 over the air: its app serves CoAP over DTLS 1.2 (PSK) and Debian's
# coap-client-openssl uploads, tests, reboots into and confirms the new image. Everything lives
# in a temporary directory that is removed at the end.
#
#   scripts/demo.sh          the scripted tour; exits 0 when every step did what it says
#   scripts/demo.sh --run    sign the demo images and run brownoutd in the foreground on
#                            fixtures/demo.ini (make run); Ctrl-C stops it
#
# Environment: BUILD (build directory, default build), BROWNOUT_DEMO_DIR (work directory to use
# and keep instead of a temporary one), BROWNOUT_DEMO_FUSE=0 (tour without the FUSE view, as
# where /dev/fuse cannot be opened).
#
# The over-the-air step needs coap-client-openssl (Debian's libcoap3-bin, which scripts/deps.sh
# installs); without it that step says so and is skipped.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/bin
MODE=tour
[ "${1:-}" = "--run" ] && MODE=run

for p in brownoutd brownout brownout-fw; do
    if [ ! -x "$BIN/$p" ]; then
        echo "demo: $BIN/$p is missing; run 'make' first" >&2
        exit 69
    fi
done

if [ -n "${BROWNOUT_DEMO_DIR:-}" ]; then
    WORK=$BROWNOUT_DEMO_DIR
    KEEP=1
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/brownout-demo.XXXXXX")
    KEEP=0
fi
SOCK=$WORK/brownout.sock
MNT=$WORK/mnt
LOG=$WORK/brownoutd.log
DPID=

cleanup() {
    if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
        kill -TERM "$DPID" 2>/dev/null || true
        i=0
        while kill -0 "$DPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$DPID" 2>/dev/null || true
    fi
    if grep -qs " $MNT " /proc/self/mounts; then
        fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
    fi
    [ "$KEEP" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }
fail() { printf 'demo: FAILED: %s\n' "$*" >&2; [ -f "$LOG" ] && tail -n 20 "$LOG" >&2; exit 1; }

# Signs a pseudo-random payload of SIZE bytes as version VERSION into OUT (extra options after).
sign() {
    version=$1 size=$2 out=$3
    shift 3
    head -c "$size" /dev/urandom > "$WORK/payload.bin"
    "$BIN/brownout" image sign -k "$ROOT/fixtures/keys/ec256.pem" -v "$version" --pad-header \
        -H 0x200 --align 4 "$@" "$WORK/payload.bin" "$out" > /dev/null
}

# The slot size of image 0 on the nRF52840 board (fixtures/boards/nrf52840.ini).
SLOT=0x34000
sign 1.0.0 30000 "$WORK/app-v1.bin"
sign 2.0.0 42000 "$WORK/app-v2.bin" -S $SLOT --test
sign 3.0.0 36000 "$WORK/app-v3.bin" -S $SLOT --test
mkdir -p "$MNT"

# v4 goes over the air as it is (the app writes the trailer when it is marked pending).
sign 4.0.0 20000 "$WORK/app-v4.bin"

DAEMON_ARGS="-c $ROOT/fixtures/demo.ini --flash dev0=$WORK/dev0.bin --flash-erase
 --image primary=$WORK/app-v1.bin --control $SOCK"
[ "${BROWNOUT_DEMO_FUSE:-1}" = 0 ] || DAEMON_ARGS="$DAEMON_ARGS --mount $MNT"

# The PSK of dev0 (fixtures/demo.ini has it in hex; coap-client takes it as text).
PSK_ID=brownout-client
PSK_KEY=brownout-ota-psk

if [ $MODE = run ]; then
    if [ "${BROWNOUT_DEMO_FUSE:-1}" = 0 ]; then
        echo "brownoutd on fixtures/demo.ini; socket $SOCK, no FUSE view"
    else
        echo "brownoutd on fixtures/demo.ini; socket $SOCK, FUSE view $MNT"
    fi
    echo "try: BROWNOUT_SOCKET=$SOCK $BIN/brownout status"
    echo "dev0's app serves U=coaps://127.0.0.1:PORT (PORT: its APP_READY line below, or"
    echo "brownout status). An update to v4 over the air, with"
    echo "C='coap-client-openssl -u $PSK_ID -k $PSK_KEY':"
    echo "  \$C -m get \$U/fw"
    echo "  \$C -m put -b 512 -f $WORK/app-v4.bin \$U/fw/upload"
    echo "  \$C -m post -e test \$U/fw/pending && \$C -m post \$U/reboot"
    echo "  \$C -m post \$U/fw/confirm   (on the new port, after BOOT_DONE and APP_READY)"
    # shellcheck disable=SC2086
    "$BIN/brownoutd" $DAEMON_ARGS
    exit $?
fi

export BROWNOUT_SOCKET="$SOCK"
bo() { "$BIN/brownout" "$@"; }

# Takes one snapshot of dev0's status into S_* variables (booleans as yes/no, absent values
# empty): one brownout and one python3 per snapshot, so polling stays cheap on a busy machine.
snap() {
    eval "$(bo status --json 2>/dev/null | python3 -c '
import json, shlex, sys
fields = {
    "BOOTS": "boots", "STATE": "state", "VERSION": "last-boot.version",
    "SWAP": "last-boot.swap-type", "BOOT_NS": "last-boot.boot-time-ns",
    "LOSSES": "power-losses", "LOSS_OP": "last-power-loss.op",
    "LOSS_KIND": "last-power-loss.kind", "LOSS_LEN": "last-power-loss.length",
    "LOSS_OFF": "last-power-loss.offset", "LOSS_APPLIED": "last-power-loss.applied",
    "APP_READY": "app.ready", "APP_PORT": "app.port",
}
try:
    dev = json.load(sys.stdin)["devices"][0]
except (ValueError, LookupError, TypeError):
    dev = {}
for var, path in fields.items():
    v = dev
    for k in path.split("."):
        v = v.get(k) if isinstance(v, dict) else None
    if isinstance(v, bool):
        v = "yes" if v else "no"
    print("S_%s=%s" % (var, shlex.quote("" if v is None else str(v))))')"
}

# Fails the demo if brownoutd is gone.
alive() { kill -0 "$DPID" 2>/dev/null || fail "brownoutd exited unexpectedly"; }

# Waits until dev0 has booted N times and runs its app (the snapshot stays in S_*).
wait_boot() {
    n=$1 i=0
    while [ $i -lt 300 ]; do
        snap
        [ "$S_BOOTS" = "$n" ] && [ "$S_STATE" = running ] && return 0
        alive
        sleep 0.1
        i=$((i + 1))
    done
    fail "dev0 did not finish boot $n"
}

# Waits until dev0's app serves CoAPs (its APP_READY of the current run); sets PORT to its
# UDP port (an ephemeral one, new at every boot).
wait_app() {
    i=0
    while [ $i -lt 100 ]; do
        snap
        if [ "$S_APP_READY" = yes ]; then
            PORT=$S_APP_PORT
            return 0
        fi
        alive
        sleep 0.1
        i=$((i + 1))
    done
    fail "dev0's app did not start serving CoAPs"
}

# Narrates the boot of the last snapshot and fails unless it runs VERSION.
show_boot() {
    say "BOOT_DONE: running v$S_VERSION from the primary slot, swap type '$S_SWAP'," \
        "$((S_BOOT_NS / 1000000)) ms of flash work on the part's clock"
    [ "$S_VERSION" = "$1" ] || fail "dev0 runs v$S_VERSION, not v$1"
}

# Runs coap-client-openssl with dev0's PSK: METHOD PATH [options...]. Fails the demo unless the
# client exits 0 and neither an error response (4.xx/5.xx) nor an error of libcoap's log (a
# failed handshake, which libcoap 4.3 reports with exit status 0) shows; the reply's payload is
# left in $WORK/coap.out.
coap() {
    method=$1 path=$2
    shift 2
    rc=0
    timeout 60 coap-client-openssl -B 10 -u "$PSK_ID" -k "$PSK_KEY" -m "$method" "$@" \
        "coaps://127.0.0.1:$PORT$path" > "$WORK/coap.out" 2> "$WORK/coap.err" || rc=$?
    if [ $rc -ne 0 ] ||
        grep -Eq '(^|[^0-9.])[45]\.[0-9][0-9]([^0-9.]|$)| (ERR|CRIT|ALRT|EMRG) ' \
            "$WORK/coap.out" "$WORK/coap.err"; then
        cat "$WORK/coap.out" "$WORK/coap.err" >&2
        fail "coap-client-openssl -m $method $path (exit $rc)"
    fi
}

# Summarises the JSON of GET /fw in $WORK/coap.out on one line; with an argument VERSION, fails
# unless the primary slot holds that version, active and confirmed (call it as fw=$(...) so
# set -e sees the failure).
fw_summary() {
    python3 -c '
import json, sys
try:
    with open(sys.argv[1]) as f:
        slots = json.load(f)["slots"]
except (ValueError, LookupError, TypeError):
    sys.exit(1)
out, ok = [], len(sys.argv) < 3
for s in slots:
    if not s.get("image"):
        out.append("%s empty" % s["name"])
        continue
    flags = [f for f in ("active", "confirmed", "pending") if s.get(f)]
    out.append("%s v%s (%s)" % (s["name"], s["version"], ", ".join(flags) or "inactive"))
    if s["slot"] == 0 and not ok:
        ok = s["version"] == sys.argv[2] and s["active"] and s["confirmed"]
print("; ".join(out))
sys.exit(0 if ok else 1)' "$WORK/coap.out" "$@" ||
        fail "GET /fw: not the JSON of docs/ota.md, or not v${1:-?} active and confirmed"
}

# The over-the-air update of dev0 to v4 (boot 4), narrated.
ota() {
    wait_app
    say "dev0's app serves coaps://127.0.0.1:$PORT (port from APP_READY), PSK identity $PSK_ID"
    coap get /fw
    fw=$(fw_summary)
    say "GET  /fw            $fw"
    size=$(wc -c < "$WORK/app-v4.bin")
    coap put /fw/upload -b 512 -f "$WORK/app-v4.bin"
    say "PUT  /fw/upload     $size bytes in $(( (size + 511) / 512 )) Block1 blocks of 512," \
        "written into the secondary slot as they arrive"
    coap post /fw/pending -e test
    say "POST /fw/pending    'test': the app verified hash and signature, then asked for one swap"
    coap post /reboot
    say "POST /reboot        the app asks brownoutd for a clean reset"
    wait_boot 4
    show_boot 4.0.0+0
    [ "$S_SWAP" = test ] || fail "v4 did not boot as a test swap"
    wait_app
    coap post /fw/confirm
    say "POST /fw/confirm    v4 is good: it stays after the next reset (port $PORT now)"
    coap get /fw
    fw=$(fw_summary 4.0.0+0)
    say "GET  /fw            $fw"
}

step "Start brownoutd: one nRF52840 (fixtures/demo.ini), v1.0.0 written into its primary slot"
# shellcheck disable=SC2086
"$BIN/brownoutd" $DAEMON_ARGS > "$LOG" 2>&1 &
DPID=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$SOCK" ] || fail "brownoutd did not start"
say "control socket: $SOCK"
wait_boot 1
show_boot 1.0.0+0

step "Stage v2.0.0 into the secondary slot (a test upgrade: the trailer asks for one swap)"
FUSE=0
if [ -d "$MNT/dev0/slots" ]; then
    FUSE=1
    cp "$WORK/app-v2.bin" "$MNT/dev0/slots/0-secondary.bin"
    say "cp app-v2.bin $MNT/dev0/slots/0-secondary.bin   (FUSE: a flash programmer)"
else
    bo image load dev0 0-secondary "$WORK/app-v2.bin" > /dev/null
    say "FUSE is not available here: brownout image load dev0 0-secondary app-v2.bin"
fi
say "secondary slot now holds: v$(bo image info dev0 0-secondary --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["header"]["version"])')"

step "Reset: the bootloader swaps v2 into the primary slot through the scratch area"
bo reset dev0 > /dev/null
wait_boot 2
show_boot 2.0.0+0
bo confirm dev0 > /dev/null
say "confirm: the app marked v2 good (image_ok), so it stays after the next reset"

step "Stage v3.0.0 and cut power at flash operation 55 of the swap (torn bits, seed 42)"
bo image load dev0 0-secondary "$WORK/app-v3.bin" > /dev/null
bo power-cut dev0 --at-op 55 --fault torn-bits --seed 42 > /dev/null
bo reset dev0 > /dev/null
i=0
snap
while [ "$S_LOSSES" != 1 ] && [ $i -lt 300 ]; do alive; sleep 0.1; snap; i=$((i + 1)); done
[ "$S_LOSSES" = 1 ] || fail "no power loss"
say "POWER_LOSS at op $S_LOSS_OP: the $S_LOSS_KIND of $S_LOSS_LEN bytes at" \
    "0x$(printf %x "$S_LOSS_OFF") was cut short ($S_LOSS_APPLIED)"
say "half a second later the device powers on by itself; the bootloader resumes the swap"
wait_boot 3
show_boot 3.0.0+0
bo confirm dev0 > /dev/null
say "confirm: v3 is marked good too (the app refuses an upload while a test image awaits it)"

step "Over the air: v4.0.0 over CoAPs (DTLS 1.2, PSK) with Debian's coap-client-openssl"
if command -v coap-client-openssl > /dev/null 2>&1; then
    ota
else
    say "skipped: coap-client-openssl is not installed (Debian's libcoap3-bin; scripts/deps.sh)"
fi

step "Shut down: SIGTERM sends SHUTDOWN to clients, unmounts FUSE, flushes the flash file"
kill -TERM "$DPID"
wait "$DPID" || fail "brownoutd exited with $?"
DPID=
if grep -qs " $MNT " /proc/self/mounts; then fail "the mount is still there"; fi
if [ $FUSE = 1 ]; then
    say "brownoutd exited 0, the mount is gone. The events of the tour, in order:"
else
    say "brownoutd exited 0. The events of the tour, in order:"
fi
say "  $(sed -n 's/^brownoutd: event \([A-Z_]*\) .*/\1/p' "$LOG" | tr '\n' ' ')"
say "(brownout events --follow prints them live; docs/protocol.md describes each)"
printf '\nDemo complete.\n'
