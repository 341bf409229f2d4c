#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Fails when portable firmware includes an OS or host-library header.
#
#   scripts/check_core_purity.sh DIR...
#
# Allowed in DIR: the freestanding C headers, <string.h>, Mbed TLS and PSA headers, and quoted
# headers of the core itself or of the port contract (port/, mcuboot_config/, sysflash/,
# flash_map_backend/, bootutil/). Anything else (<stdio.h>, <unistd.h>, <sys/...>, <uv.h>, ...)
# is reported as FILE:LINE: reason, and the exit status is 1.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: check_core_purity.sh DIR..." >&2; exit 2; }

freestanding='float.h|iso646.h|limits.h|stdalign.h|stdarg.h|stdbool.h|stddef.h|stdint.h|stdnoreturn.h|string.h'
contract='port/|mcuboot_config/|sysflash/|flash_map_backend/|bootutil/|mbedtls/|psa/'

bad=0
while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    text=${rest#*:}
    header=$(printf '%s' "$text" | sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p')
    if [ -z "$header" ]; then
        # The one allowed computed include: config/build_info.h reads the configuration files
        # the user names (like MBEDTLS_CONFIG_FILE); they are the user's, not the core's.
        if printf '%s' "$text" |
           grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]+BROWNOUT_(USER_)?CONFIG_FILE[[:space:]]*$'; then
            continue
        fi
        echo "$file:$line: #include of a computed header is not allowed in portable code" >&2
        bad=1
        continue
    fi
    name=${header:1:${#header}-2}
    case "$header" in
        \<*)
            if printf '%s' "$name" | grep -qxE "$freestanding" ||
               printf '%s' "$name" | grep -qE "^($contract)"; then
                continue
            fi
            echo "$file:$line: $header is an OS or host header; portable code may not include it" >&2
            bad=1
            ;;
        \"*)
            if printf '%s' "$name" | grep -qE "^($contract)"; then
                continue
            fi
            # A quoted header must be the core's own: found beside the file or under a DIR.
            found=0
            for d in "$(dirname "$file")" "$@"; do
                if [ -f "$d/$name" ] || [ -f "$d/include/$name" ]; then
                    found=1
                fi
            done
            if [ $found -eq 0 ]; then
                echo "$file:$line: \"$name\" is not a header of the core or the port contract" >&2
                bad=1
            fi
            ;;
    esac
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include' --include='*.c' --include='*.h' "$@" || true)

exit $bad
