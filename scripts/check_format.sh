#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The C files of the tree against .clang-format (clang-format 14, Debian bookworm).
#
#   scripts/check_format.sh          list every file that would change; exit 1 if any
#   scripts/check_format.sh --fix    rewrite them in place (make format)
#
# Generated files are not formatted: the configuration-check headers that
# scripts/generate_config_checks.py writes (core/config/config_check_*.h).
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
if [ "${1:-}" = --fix ]; then
    fix=1
elif [ $# -gt 0 ]; then
    echo "usage: scripts/check_format.sh [--fix]" >&2
    exit 64
fi
if ! command -v clang-format > /dev/null; then
    echo "check_format.sh: clang-format is not installed (scripts/deps.sh installs it)" >&2
    exit 69
fi

mapfile -t files < <(find core port sim tests fuzz -name '*.[ch]' -not -path 'fuzz/corpus/*' \
    -not -path 'core/config/config_check_*.h' | sort)

if [ "$fix" = 1 ]; then
    clang-format -i "${files[@]}"
    exit 0
fi
# One run over every file first (one process is much faster than one per file); only when it
# finds something, each file again to name the ones that would change.
if clang-format --dry-run --Werror "${files[@]}" > /dev/null 2>&1; then
    echo "format: ${#files[@]} passed, 0 failed"
    exit 0
fi
bad=0
for f in "${files[@]}"; do
    if ! clang-format "$f" | cmp -s - "$f"; then
        echo "$f: not formatted as .clang-format says (make format fixes it)"
        bad=$((bad + 1))
    fi
done
echo "format: $((${#files[@]} - bad)) passed, $bad failed"
[ "$bad" = 0 ]
