#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The brownout tour (make demo): one simulated nRF52840 boots v1, receives v2 through its FUSE
# view (or the control socket), swaps to it, then loses power in the middle of the next swap
# and recovers. Everything lives in a temporary directory that is removed at the end.
#
#   scripts/demo.sh          the scripted tour; exits 0 when every step did what it says
#   scripts/demo.sh --run    sign the demo images and run brownoutd in the foreground on
#                            fixtures/demo.ini (make run); Ctrl-C stops it
#
# Environment: BUILD (build directory, default build), BROWNOUT_DEMO_DIR (work directory to use
# and keep instead of a temporary one).
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

DAEMON_ARGS="-c $ROOT/fixtures/demo.ini --flash dev0=$WORK/dev0.bin --flash-erase
 --image primary=$WORK/app-v1.bin --control $SOCK --mount $MNT"

if [ $MODE = run ]; then
    echo "brownoutd on fixtures/demo.ini; socket $SOCK, FUSE view $MNT"
    echo "try: BROWNOUT_SOCKET=$SOCK $BIN/brownout status"
    # shellcheck disable=SC2086
    "$BIN/brownoutd" $DAEMON_ARGS
    exit $?
fi

export BROWNOUT_SOCKET="$SOCK"
bo() { "$BIN/brownout" "$@"; }

# Prints the value of a dotted path (dev0.boots) of the JSON status of dev0.
dev_field() {
    bo status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)["devices"][0]
for k in sys.argv[1].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$1"
}

# Waits until dev0 has booted N times and runs its app.
wait_boot() {
    n=$1 i=0
    while [ $i -lt 300 ]; do
        if [ "$(dev_field boots)" = "$n" ] && [ "$(dev_field state)" = running ]; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    fail "dev0 did not finish boot $n"
}

show_boot() {
    say "BOOT_DONE: running v$(dev_field last-boot.version) from the primary slot," \
        "swap type '$(dev_field last-boot.swap-type)'," \
        "$(( $(dev_field last-boot.boot-time-ns) / 1000000 )) ms of flash work on the part's clock"
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
show_boot
[ "$(dev_field last-boot.version)" = "1.0.0+0" ] || fail "v1 did not boot"

step "Stage v2.0.0 into the secondary slot (a test upgrade: the trailer asks for one swap)"
if [ -d "$MNT/dev0/slots" ]; then
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
show_boot
[ "$(dev_field last-boot.version)" = "2.0.0+0" ] || fail "v2 did not boot"
bo confirm dev0 > /dev/null
say "confirm: the app marked v2 good (image_ok), so it stays after the next reset"

step "Stage v3.0.0 and cut power at flash operation 55 of the swap (torn bits, seed 42)"
bo image load dev0 0-secondary "$WORK/app-v3.bin" > /dev/null
bo power-cut dev0 --at-op 55 --fault torn-bits --seed 42 > /dev/null
bo reset dev0 > /dev/null
i=0
while [ "$(dev_field power-losses)" != 1 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(dev_field power-losses)" = 1 ] || fail "no power loss"
say "POWER_LOSS at op $(dev_field last-power-loss.op): the $(dev_field last-power-loss.kind)" \
    "of $(dev_field last-power-loss.length) bytes at 0x$(printf %x \
    "$(dev_field last-power-loss.offset)") was cut short ($(dev_field last-power-loss.applied))"
say "half a second later the device powers on by itself; the bootloader resumes the swap"
wait_boot 3
show_boot
[ "$(dev_field last-boot.version)" = "3.0.0+0" ] || fail "the swap did not recover to v3"

step "Shut down: SIGTERM sends SHUTDOWN to clients, unmounts FUSE, flushes the flash file"
kill -TERM "$DPID"
wait "$DPID" || fail "brownoutd exited with $?"
DPID=
if grep -qs " $MNT " /proc/self/mounts; then fail "the mount is still there"; fi
say "brownoutd exited 0, the mount is gone. The events of the tour, in order:"
say "  $(sed -n 's/^brownoutd: event \([A-Z_]*\) .*/\1/p' "$LOG" | tr '\n' ' ')"
say "(brownout events --follow prints them live; docs/protocol.md describes each)"
printf '\nDemo complete.\n'
