#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks that the object files of each folder given form a layered graph: no cycle among them,
# where A depends on B when A uses a symbol that B defines (as nm reads them). Prints each cycle
# found as "DIR: cycle: a -(symbol)-> b -(symbol)-> a" and exits 1; exits 0 when there is none.
#
#   scripts/check_layers.sh DIR...
set -euo pipefail

bad=0
for dir in "$@"; do
    objs=("$dir"/*.o)
    if [ ! -e "${objs[0]}" ]; then
        echo "$dir: no object files" >&2
        bad=1
        continue
    fi
    # One line per symbol: OBJECT SYMBOL TYPE (POSIX format of nm).
    if ! for o in "${objs[@]}"; do
        nm -P "$o" | sed "s|^|$(basename "$o" .o) |"
    done | awk -v dir="$dir" '
        $3 == "U" { uses[$1, $2] = 1; next }
        $3 ~ /^[TDRBCGSVW]$/ { def[$2] = $1 }
        function dfs(n,    lst, cnt, i, m, j, nx, path) {
            state[n] = 1
            stack[++sp] = n
            cnt = split(adj[n], lst, " ")
            for (i = 1; i <= cnt; i++) {
                m = lst[i]
                if (state[m] == 1) {
                    path = ""
                    for (j = 1; j <= sp; j++) {
                        if (path != "" || stack[j] == m) {
                            nx = j < sp ? stack[j + 1] : m
                            path = path stack[j] " -(" why[stack[j], nx] ")-> "
                        }
                    }
                    printf "%s: cycle: %s%s\n", dir, path, m > "/dev/stderr"
                    found = 1
                } else if (state[m] == 0) {
                    dfs(m)
                }
            }
            sp--
            state[n] = 2
        }
        END {
            for (k in uses) {
                split(k, p, SUBSEP)
                if ((p[2] in def) && def[p[2]] != p[1] && !((p[1], def[p[2]]) in why)) {
                    why[p[1], def[p[2]]] = p[2]
                    adj[p[1]] = adj[p[1]] " " def[p[2]]
                    nodes[p[1]] = 1
                }
            }
            for (n in nodes) {
                if (state[n] == 0) {
                    dfs(n)
                }
            }
            exit found
        }'; then
        bad=1
    fi
done
exit $bad
