#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Proves scripts/check_layers.py works and runs it on the build: the modules of core/boot form
# a layered graph, a planted two-object cycle is caught (and printed), a chain of three objects
# passes, and bad input fails with its sysexits code: no object (EX_NOINPUT), an object nm cannot
# read (EX_UNAVAILABLE), an unknown option (EX_USAGE).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
check="$root/scripts/check_layers.py"
build=${BUILD:-build}
case $build in /*) ;; *) build="$root/$build" ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
cc=${CC:-cc}

result() {
    if [ "$1" = "$2" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL: $3 (expected $1, got $2)"
        failed=$((failed + 1))
    fi
}

# The build: core/boot must be layered.
"$check" "$build/obj/core/boot"
result 0 $? "core/boot is layered"

# A planted cycle: ping.o calls pong(), pong.o calls ping().
mkdir -p "$tmp/cycle" "$tmp/chain" "$tmp/empty" "$tmp/bogus"
printf 'int pong(int n);\nint ping(int n) { return n > 0 ? pong(n - 1) : 0; }\n' > "$tmp/ping.c"
printf 'int ping(int n);\nint pong(int n) { return n > 0 ? ping(n - 1) : 1; }\n' > "$tmp/pong.c"
"$cc" -c -o "$tmp/cycle/ping.o" "$tmp/ping.c" && "$cc" -c -o "$tmp/cycle/pong.o" "$tmp/pong.c"
out=$("$check" "$tmp/cycle" 2>&1)
result 1 $? "a planted cycle fails the check"
printf '%s\n' "$out" | grep -q 'cycle: ping -> pong -> ping'
result 0 $? "the planted cycle is printed"
printf '%s\n' "$out" | grep -q 'pong -> ping: ping'
result 0 $? "the symbols closing the cycle are printed"

# A chain top -> mid -> low (and top -> low) is layered.
printf 'int low(void) { return 1; }\n' > "$tmp/low.c"
printf 'int low(void);\nint mid(void) { return low(); }\n' > "$tmp/mid.c"
printf 'int low(void);\nint mid(void);\nint top(void) { return mid() + low(); }\n' > "$tmp/top.c"
for m in low mid top; do "$cc" -c -o "$tmp/chain/$m.o" "$tmp/$m.c"; done
"$check" "$tmp/chain" > /dev/null 2>&1
result 0 $? "a chain passes"

"$check" "$tmp/empty" > /dev/null 2>&1
result 66 $? "an area without objects is EX_NOINPUT"
printf 'not an object\n' > "$tmp/bogus/junk.o"
"$check" "$tmp/bogus" > /dev/null 2>&1
result 69 $? "an object nm cannot read is EX_UNAVAILABLE"
"$check" --bogus > /dev/null 2>&1
result 64 $? "an unknown option is EX_USAGE"

echo "check_layers: $passed passed, $failed failed"
[ $failed -eq 0 ]
