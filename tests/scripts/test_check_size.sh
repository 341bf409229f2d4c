#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Proves the size gate (scripts/check_size.py) works: in a temporary tree it must pass an 80-line
# function and an 800-line file, and fail an 81-line function (multi-line signature, static
# inline in a header) and 801-line files, without being fooled by braces in comments, strings,
# character literals and macros. Exceptions and bad input are checked too. The run over the real
# tree is tests/scripts/check_size_of_tree.sh.
set -u

here=$(cd "$(dirname "$0")" && pwd)
check="$here/../../scripts/check_size.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# A C function of $2 lines named $1, its signature over two lines, its body $3 (one line)
# repeated.
function_of() {
    local name=$1 lines=$2 body=${3:-'    x++;'} i
    printf 'static inline int %s(int a,\n%*sint b)\n{\n' "$name" $((${#name} + 19)) ''
    for ((i = 0; i < lines - 4; i++)); do
        printf '%s\n' "$body"
    done
    printf '}\n'
}

# A file of $1 lines of shell.
lines_of() {
    local i
    for ((i = 0; i < $1; i++)); do
        printf 'echo %d\n' "$i"
    done
}

# expect pass|fail|STATUS NAME [GREP]: runs the gate on $tmp/tree with $tmp/ex.txt; a failure
# must print GREP (a FILE:LINE line) when given.
expect() {
    local want=$1 name=$2 grep=${3:-} out rc ok=0
    out=$(python3 "$check" --root "$tmp/tree" --exceptions "$tmp/ex.txt" 2>&1)
    rc=$?
    case $want in
    pass) [ $rc -eq 0 ] && ok=1 ;;
    fail) [ $rc -eq 1 ] && ok=1 ;;
    *) [ $rc -eq "$want" ] && ok=1 ;;
    esac
    if [ $ok -eq 1 ] && [ -n "$grep" ] && ! grep -qF -- "$grep" <<<"$out"; then
        ok=0
    fi
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1))
    else
        echo "FAIL: $name: expected $want${grep:+ and '$grep'}, got rc=$rc: $out"
        failed=$((failed + 1))
    fi
}

# A fresh tree with a small ordinary file in each checked folder and no exceptions.
reset() {
    rm -rf "$tmp/tree" && mkdir -p "$tmp/tree"/{core,port,sim,tests,fuzz,scripts}
    function_of small 10 >"$tmp/tree/core/small.c"
    lines_of 3 >"$tmp/tree/scripts/small.sh"
    printf '# no exceptions\n' >"$tmp/ex.txt"
}

reset
function_of limit 80 >"$tmp/tree/core/f80.c"
expect pass "80-line function"
function_of over 81 >"$tmp/tree/core/f81.c"
expect fail "81-line function" "core/f81.c:1: function over has 81 lines"

reset
{ printf '#ifndef X_H\n#define X_H\n'; function_of in_header 81; printf '#endif\n'; } \
    >"$tmp/tree/port/x.h"
expect fail "81-line static inline in a header" "port/x.h:3: function in_header has 81 lines"

reset
{ printf '/* { comment */\nint before(void);\n'; function_of tricky 80 "    s = \"}}\"; c = '}';"
  printf '#define M(x) \\\n    {       \\\n        x;  \\\n    }\n'; function_of after 12; } \
    >"$tmp/tree/sim/tricky.c"
expect pass "braces in comments, strings, characters and macros"
function_of after 81 >>"$tmp/tree/sim/tricky.c"
expect fail "the function after them still measured" "sim/tricky.c:99: function after has 81"

reset
{ function_of a 70; lines_of 730 | sed 's/^echo \(.*\)/int v\1;/'; } >"$tmp/tree/tests/f800.c"
lines_of 800 >"$tmp/tree/fuzz/f800.sh"
expect pass "800-line files"
lines_of 801 >"$tmp/tree/fuzz/f801.sh"
expect fail "801-line shell file" "fuzz/f801.sh:801: file has 801 lines"
rm "$tmp/tree/fuzz/f801.sh"
lines_of 801 >"$tmp/tree/scripts/f801.py"
expect fail "801-line Python file" "scripts/f801.py:801: file has 801 lines"
rm "$tmp/tree/scripts/f801.py"
{ cat "$tmp/tree/tests/f800.c"; printf 'int v;\n'; } >"$tmp/tree/tests/f801.c"
expect fail "801-line C file" "tests/f801.c:801: file has 801 lines"

reset
function_of over 81 >"$tmp/tree/core/f81.c"
lines_of 900 >"$tmp/tree/core/gen.h"
printf 'core/f81.c:over  planted\ncore/gen*.h  generated\n' >"$tmp/ex.txt"
expect pass "exceptions by function and by file pattern"
printf 'core/f81.c:other  planted\ncore/gen*.h  generated\n' >"$tmp/ex.txt"
expect fail "an exception for another function" "core/f81.c:1: function over"
printf 'core/f81.c:over  planted\ncore/gen*.h  generated\nsim/gone.c  stale\n' >"$tmp/ex.txt"
expect fail "a stale exception" "ex.txt:3: exception 'sim/gone.c' matches nothing"
printf 'core/f81.c:over\n' >"$tmp/ex.txt"
expect 65 "an exception without a reason" "ex.txt:1: an exception needs a reason"
rm "$tmp/ex.txt"
expect 66 "no exceptions file" "ex.txt: cannot read"

reset
printf 'int broken(void)\n{\n' >"$tmp/tree/core/broken.c"
expect 65 "an unclosed brace" "core/broken.c:2: unbalanced braces"
printf 'int broken(void)\n{\n}\n}\n' >"$tmp/tree/core/broken.c"
expect 65 "a brace that closes nothing" "core/broken.c:4: unbalanced braces"
out=$(python3 "$check" --no-such-option 2>&1)
rc=$?
if [ $rc -eq 64 ]; then passed=$((passed + 1)); else
    echo "FAIL: bad usage: expected 64, got rc=$rc: $out"
    failed=$((failed + 1))
fi

echo "check_size: $passed passed, $failed failed"
[ $failed -eq 0 ]
