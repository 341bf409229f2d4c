#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs AFL++ on one fuzz target and prints what it found.
#
#   scripts/fuzz.sh TARGET [--time S] [--jobs N] [--no-build] [--resume]
#
# Instances (afl-fuzz of Debian's afl++ 4.04c): "main" (-M) on the AFL++ build, "cmplog" (-S)
# on the same build with the CMPLOG build as its -c binary, "asan" (-S) on the AFL_USE_ASAN
# build; --jobs N adds N - 3 plain secondaries (N = 1: main with -c; N = 2: main and cmplog).
# Every instance uses fuzz/dict/TARGET.dict and starts from fuzz/corpus/TARGET; the output is in
# $BUILD/fuzz/TARGET (replaced unless --resume). At the end it prints, per instance and in
# total, execs/s, execs/s per core (execs/s divided by the share of a CPU the instance had,
# measured from /proc shortly before the end: its speed on a core of its own, whatever the
# machine's load), execs, paths (corpus count), crashes, hangs and stability, then the execs
# per CPU second of the main queue run outside afl-fuzz, and lists the crashing inputs.
# Default: --time 60 --jobs 3. The binaries are built first (make fuzz-afl for this target;
# FUZZ_MAKE_ARGS adds make arguments, --no-build skips it).
#
# Exit status: 0 when every instance ran and nothing crashed or hung; 1 when a crash or hang was
# saved; 2 when it could not run (bad arguments, build failure, an instance that never started).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac

usage() {
    sed -n '4,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
    echo "fuzz.sh: $*" >&2
    exit 2
}

target=
secs=60
jobs=3
do_build=1
resume=0
while [ $# -gt 0 ]; do
    case "$1" in
        --time) secs=${2:?}; shift 2 ;;
        --time=*) secs=${1#--time=}; shift ;;
        --jobs) jobs=${2:?}; shift 2 ;;
        --jobs=*) jobs=${1#--jobs=}; shift ;;
        --no-build) do_build=0; shift ;;
        --resume) resume=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option '$1' (try --help)" ;;
        *) [ -z "$target" ] || die "one target only"; target=$1; shift ;;
    esac
done
[ -n "$target" ] || { usage >&2; exit 2; }
[ -f "$top/fuzz/$target.c" ] || die "no target '$target' (fuzz/$target.c)"
case "$secs" in ''|*[!0-9]*) die "--time takes seconds" ;; esac
case "$jobs" in ''|*[!0-9]*|0) die "--jobs takes a positive number" ;; esac
command -v afl-fuzz > /dev/null || die "afl-fuzz is not installed (scripts/deps.sh)"

afl="$build/fuzz/afl/bin/$target"
cmplog="$build/fuzz/cmplog/bin/$target"
asan="$build/fuzz/asan/bin/$target"
if [ $do_build -eq 1 ]; then
    # shellcheck disable=SC2086
    make -C "$top" --no-print-directory BUILD="$build" ${FUZZ_MAKE_ARGS:-} "$afl" "$cmplog" \
        "$asan" > "${TMPDIR:-/tmp}/fuzz-build-$target.log" 2>&1 ||
        { tail -20 "${TMPDIR:-/tmp}/fuzz-build-$target.log" >&2; die "build failed"; }
fi
for b in "$afl" "$cmplog" "$asan"; do
    [ -x "$b" ] || die "$b is missing (make fuzz-afl)"
done

out="$build/fuzz/$target"
corpus="$top/fuzz/corpus/$target"
dict="$top/fuzz/dict/$target.dict"
input=(-i "$corpus")
if [ $resume -eq 1 ] && [ -d "$out/main" ]; then
    input=(-i -)
else
    rm -rf "$out"
    [ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] || die "no seeds in fuzz/corpus/$target"
fi
mkdir -p "$out"
dict_args=()
[ -f "$dict" ] && dict_args=(-x "$dict")

# Slow targets (whole boots, upgrades with cuts) get a longer per-input time limit.
case "$target" in
    boot|powercut|dtls|coap) tmo=(-t 2000+) ;;
    *) tmo=(-t 1000+) ;;
esac

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_QUIET=1 BROWNOUT_ROOT="$top"
export AFL_IMPORT_FIRST=1 AFL_FORKSRV_INIT_TMOUT=60000

pids=()
names=()
start() {
    local name=$1
    shift
    afl-fuzz "${input[@]}" -o "$out" -V "$secs" "${tmo[@]}" "${dict_args[@]}" "$@" \
        > "$out/$name.log" 2>&1 &
    pids+=($!)
    names+=("$name")
}

if [ "$jobs" -eq 1 ]; then
    start main -M main -c "$cmplog" -- "$afl"
else
    start main -M main -- "$afl"
    start cmplog -S cmplog -c "$cmplog" -- "$afl"
    if [ "$jobs" -ge 3 ]; then
        start asan -S asan -m none -- "$asan"
    fi
    for ((i = 4; i <= jobs; i++)); do
        start "s$i" -S "s$i" -- "$afl"
    done
fi

# CPU seconds used so far by a process and its descendants (afl-fuzz, its fork server and the
# target), from /proc.
tree_cpu() {
    # shellcheck disable=SC2002
    cat /proc/[0-9]*/stat 2> /dev/null | awk -v root="$1" -v hz="$(getconf CLK_TCK)" '
        {
            pid = $1
            line = $0
            sub(/^.*\) /, "", line)
            split(line, f, " ")
            ppid[pid] = f[2]; ticks[pid] = f[12] + f[13]
        }
        END {
            in_tree[root] = 1
            for (changed = 1; changed; ) {
                changed = 0
                for (p in ppid) if (!(p in in_tree) && (ppid[p] in in_tree)) {
                    in_tree[p] = 1; changed = 1
                }
            }
            for (p in in_tree) t += ticks[p]
            printf "%.2f", t / hz
        }'
}

# Shortly before the end, the CPU time of each instance's tree: execs/s divided by the share of
# a CPU the instance had is its speed on a core of its own, whatever the machine's load.
(
    sleep $((secs > 2 ? secs - 1 : 1))
    for i in "${!pids[@]}"; do
        echo "${names[$i]} $(tree_cpu "${pids[$i]}") $((secs > 2 ? secs - 1 : 1))"
    done > "$out/cpu.txt"
) &
sampler=$!

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "fuzz.sh: $target: ${#pids[@]} instance(s) for ${secs} s, output in $out (load: $load)"
for p in "${pids[@]}"; do
    wait "$p" || true
done
wait "$sampler" || true

# The figures, from each instance's fuzzer_stats.
afl_stat() {
    sed -n "s/^$2 *: *//p" "$out/$1/fuzzer_stats" 2>/dev/null | head -1
}
status=0
tot_eps=0
tot_execs=0
tot_crash=0
tot_hang=0
printf '%-8s %10s %10s %12s %7s %8s %6s %10s\n' instance execs/s 'per core' execs paths \
    crashes hangs stability
for n in "${names[@]}"; do
    if ! [ -f "$out/$n/fuzzer_stats" ]; then
        printf '%-8s did not start; last lines of %s:\n' "$n" "$out/$n.log"
        tail -5 "$out/$n.log" | sed 's/\x1b\[[0-9;]*m//g'
        status=2
        continue
    fi
    eps=$(afl_stat "$n" execs_per_sec)
    execs=$(afl_stat "$n" execs_done)
    paths=$(afl_stat "$n" corpus_count)
    crash=$(afl_stat "$n" saved_crashes)
    hang=$(afl_stat "$n" saved_hangs)
    stab=$(afl_stat "$n" stability)
    core=$(awk -v n="$n" -v e="$eps" 'NF == 3 && $1 == n && $2 > 0 { printf "%.0f", e * $3 / $2 }' \
        "$out/cpu.txt" 2>/dev/null)
    printf '%-8s %10s %10s %12s %7s %8s %6s %10s\n' "$n" "$eps" "${core:-?}" "$execs" "$paths" \
        "$crash" "$hang" "$stab"
    tot_eps=$(awk -v a="$tot_eps" -v b="$eps" 'BEGIN { printf "%.2f", a + b }')
    tot_execs=$((tot_execs + execs))
    tot_crash=$((tot_crash + crash))
    tot_hang=$((tot_hang + hang))
done
printf '%-8s %10s %10s %12s %7s %8s %6s\n' total "$tot_eps" '' "$tot_execs" \
    "$(ls "$out"/main/queue 2>/dev/null | wc -l)" "$tot_crash" "$tot_hang"
# The harness's own speed, free of the machine's load: the AFL++ build runs (up to 1000 inputs
# of) the main instance's queue, each 5 times, outside afl-fuzz; its CPU time is measured.
qfiles=()
for f in "$out"/main/queue/id:*; do
    [ -f "$f" ] && [ ${#qfiles[@]} -lt 5000 ] && qfiles+=("$f" "$f" "$f" "$f" "$f")
done
if [ ${#qfiles[@]} -gt 0 ] &&
   /usr/bin/time -o "$out/qtime.txt" -f '%U %S' "$afl" "${qfiles[@]}" > /dev/null 2>&1; then
    rate=$(awk -v n="${#qfiles[@]}" '{ c = $1 + $2; printf "%.0f", (c > 0 ? n / c : 0) }' \
        "$out/qtime.txt")
    echo "fuzz.sh: the queue ($((${#qfiles[@]} / 5)) inputs x 5) runs at $rate execs per" \
        "CPU second outside afl-fuzz (load at start: $load)"
fi
if [ "$tot_crash" -gt 0 ] || [ "$tot_hang" -gt 0 ]; then
    echo "fuzz.sh: saved crashes and hangs (replay one with $build/fuzz/replay/bin/$target FILE):"
    { ls -d "$out"/*/crashes/id:* "$out"/*/hangs/id:* 2>/dev/null || true; } | sed 's/^/  /'
    [ $status -ne 0 ] || status=1
fi
exit $status
