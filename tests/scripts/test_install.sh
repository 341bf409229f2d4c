#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: `make install DESTDIR=... PREFIX=...` installs the programs, the boards, the
# default key, the man pages and the bash completion, and the installed `brownout sweep` finds them (../share/brownout next to its
# binary) when run from a directory outside any source tree, with no BROWNOUT_ROOT: a sweep on
# a shipped board, and the replay of one of its IDs from yet another directory. Then, with the
# installed boards removed, the same sweep must fail (so a pass means the share directory was
# used, not the source tree).
set -eu
ROOT=${BROWNOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/bo-test-install.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

fail() { printf 'test_install: FAIL: %s\n' "$*" >&2; exit 1; }

make -C "$ROOT" --no-print-directory -s NO_DEPS=1 BUILD="$BUILD" DESTDIR="$OUT/dest" \
    PREFIX=/opt/bo install >"$OUT/make.out" 2>&1 || { cat "$OUT/make.out" >&2; fail "make install"; }
B="$OUT/dest/opt/bo/bin/brownout"
SHARE="$OUT/dest/opt/bo/share/brownout"
[ -x "$B" ] || fail "no installed brownout"
[ -f "$SHARE/fixtures/boards/stm32f4.ini" ] || fail "no installed boards"
[ -f "$SHARE/fixtures/keys/ec256.pem" ] || fail "no installed default key"
# The man pages (man -l reads them without a warning) and the bash completion of each program.
for p in brownout brownoutd brownout-fw; do
    page="$OUT/dest/opt/bo/share/man/man1/$p.1"
    [ -f "$page" ] || fail "no installed man page $p.1"
    if command -v man >/dev/null 2>&1; then
        MANWIDTH=80 man -l --warnings "$page" >"$OUT/man.out" 2>"$OUT/man.err" ||
            fail "man $p.1: $(cat "$OUT/man.err")"
        [ ! -s "$OUT/man.err" ] || fail "man $p.1: $(cat "$OUT/man.err")"
        grep -q "EXIT STATUS" "$OUT/man.out" || fail "man $p.1 has no EXIT STATUS"
    fi
    comp="$OUT/dest/opt/bo/share/bash-completion/completions/$p"
    [ -f "$comp" ] || fail "no installed completion for $p"
    bash -c ". '$comp' && complete -p $p" >/dev/null 2>&1 || fail "completion of $p not defined"
done

mkdir "$OUT/work" "$OUT/elsewhere"
cd "$OUT/work"
unset BROWNOUT_ROOT
"$B" sweep --board stm32f4 --mode overwrite --scenario perm --faults before --random 3 \
    --json >sweep.json 2>sweep.err || { cat sweep.err >&2; fail "installed sweep"; }
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["replay"])' \
    sweep.json)
case "$id" in bo2:perm:overwrite:stm32f4:*) ;; *) fail "unexpected replay ID '$id'" ;; esac
cd "$OUT/elsewhere"
"$B" sweep --replay "$id" >replay.out 2>&1 || { cat replay.out >&2; fail "installed replay"; }
grep -q 'PASS: every invariant holds' replay.out || fail "replay: $(cat replay.out)"

# Without the installed boards the installed sweep finds none: it used the share directory.
rm -r "$SHARE/fixtures/boards"
if "$B" sweep --board stm32f4 --mode overwrite --scenario perm --faults before --random 3 \
    >none.out 2>&1; then
    fail "the installed sweep ran without its boards"
fi
grep -q 'stm32f4.ini' none.out || fail "no board named: $(cat none.out)"
echo "test_install: PASS"
