#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Bad-input behaviour of scripts/deps.sh: nothing missing is a fast no-op; not root with
# something missing prints the exact apt-get command on one line and fails; as root without
# network it fails on one line. A fake package name stands in for "something missing".
set -u

here=$(cd "$(dirname "$0")" && pwd)
deps="$here/../../scripts/deps.sh"
passed=0
failed=0

check() {
    local name=$1 want_rc=$2 want_text=$3 rc=$4 out=$5 lines
    lines=$(printf '%s\n' "$out" | grep -c .)
    if [ "$rc" -eq "$want_rc" ] &&
       { [ -z "$want_text" ] || printf '%s' "$out" | grep -qF -- "$want_text"; } &&
       { [ "$want_rc" -eq 0 ] || [ "$lines" -eq 1 ]; }; then
        passed=$((passed + 1))
    else
        echo "FAIL: $name: rc=$rc (want $want_rc), output: $out"
        failed=$((failed + 1))
    fi
}

out=$(BROWNOUT_DEPS_PACKAGES="make" "$deps" 2>&1); rc=$?
check "present packages: no-op" 0 "" $rc "$out"
[ -z "$out" ] || { echo "FAIL: no-op printed: $out"; failed=$((failed + 1)); }

out=$(BROWNOUT_DEPS_PACKAGES="make brownout-no-such-pkg" "$deps" --check 2>&1); rc=$?
check "--check reports" 1 "missing packages: brownout-no-such-pkg" $rc "$out"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    # The clone may sit under a directory only root can enter (mktemp -d makes 0700 ones):
    # nobody runs a copy kept in a directory anyone can read.
    pub=$(mktemp -d)
    trap 'rm -rf "$pub"' EXIT
    mkdir -p "$pub/scripts" && cp "$deps" "$pub/scripts/deps.sh" && chmod -R a+rX "$pub"
    out=$(BROWNOUT_DEPS_PACKAGES="make brownout-no-such-pkg" \
          setpriv --reuid=nobody --regid=nogroup --clear-groups "$pub/scripts/deps.sh" 2>&1)
    rc=$?
    check "not root" 1 "as root run: apt-get update && apt-get install -y --no-install-recommends brownout-no-such-pkg" $rc "$out"
else
    out=$(BROWNOUT_DEPS_PACKAGES="make brownout-no-such-pkg" "$deps" 2>&1); rc=$?
    check "not root" 1 "brownout-no-such-pkg" $rc "$out"
fi

if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
    out=$(BROWNOUT_DEPS_PACKAGES="make brownout-no-such-pkg" unshare -n "$deps" 2>&1); rc=$?
    check "no network" 1 "(no network?)" $rc "$out"
else
    echo "skipped: no-network case needs root and unshare"
fi

echo "deps: $passed passed, $failed failed"
[ $failed -eq 0 ]
