#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_matrix (issue 18): the whole matrix of the issue timed on this machine. Every shipped
board x every mode its "; Modes:" line claims, perm, the maximal image, all six cut models,
depth 1, --prefix-max 8, each cell one `brownout sweep -j 2` (scripts/sweep_matrix.py's cells,
one after another). Prints each cell, then the total wall time beside the target (10 minutes),
the points, points per second, the distribution of cell times and the slowest cells. Figures,
not assertions: the exit status is non-zero only when the benchmark breaks (a cell cannot run).
A failing cell is reported, not a benchmark error: the matrix's verdicts are `make sweep-matrix`.

    BUILD=build BROWNOUT_ROOT=. python3 tests/bench/bench_matrix.py [--board B]... [--no-cache]

--no-cache times the same matrix with the sweep's tables off, for the comparison.
"""
import argparse
import os
import sys
import time

ROOT = os.path.abspath(os.environ.get("BROWNOUT_ROOT", os.path.join(os.path.dirname(__file__),
                                                                     "..", "..")))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import sweep_matrix  # noqa: E402  (scripts/ is not a package)

TARGET_S = 600.0


def quantile(xs, q):
    """The q-quantile of sorted xs (nearest rank)."""
    if not xs:
        return 0.0
    return xs[min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", action="append")
    ap.add_argument("--no-cache", action="store_true")
    mine = ap.parse_args(argv)
    build = os.environ.get("BUILD", "build")
    args = sweep_matrix.parse_args(["--scenario", "perm", "--size", "max", "--prefix-max", "8",
                                    "-j", "2", "--build", build, "--root", ROOT] +
                                   (["--no-cache"] if mine.no_cache else []) +
                                   sum((["--board", b] for b in mine.board or []), []))
    if not os.access(args.brownout, os.X_OK):
        print(f"bench_matrix: {args.brownout}: not built (make all)", file=sys.stderr)
        return 2
    bdir = os.path.join(ROOT, "fixtures", "boards")
    boards = args.board or sorted(f[:-4] for f in os.listdir(bdir) if f.endswith(".ini"))
    todo = list(sweep_matrix.cells(args, boards))
    times = []
    points = 0
    fails = 0
    broken = 0
    t0 = time.monotonic()
    for board, mode, scenario, size in todo:
        n, f, secs, _ids, error = sweep_matrix.run_cell(args, board, mode, scenario, size)
        times.append((secs, board, mode, n))
        points += n
        fails += f
        broken += 1 if error else 0
        print(f"bench_matrix {board:<18} {mode:<13} {n:>7} points {f:>4} failures {secs:>7.1f} s"
              f"{'  ERROR ' + error if error else ''}", flush=True)
    wall = time.monotonic() - t0
    secs = sorted(t[0] for t in times)
    load = os.getloadavg()
    print(f"bench_matrix {'(--no-cache) ' if mine.no_cache else ''}{len(todo)} cells (boards x "
          f"claimed modes, perm, maximal image, six cut models, depth 1, prefix-max 8, -j2): "
          f"{wall:.0f} s wall (target <= {TARGET_S:.0f} s, ratio {wall / TARGET_S:.2f}), "
          f"{points} points, {points / wall if wall else 0:.0f} points/s, {fails} failures; "
          f"load average {load[0]:.1f}")
    print(f"bench_matrix cell seconds: min {secs[0] if secs else 0:.1f}, median "
          f"{quantile(secs, 0.5):.1f}, p90 {quantile(secs, 0.9):.1f}, max "
          f"{secs[-1] if secs else 0:.1f}")
    for s, board, mode, n in sorted(times, reverse=True)[:5]:
        print(f"bench_matrix slowest: {board} {mode}: {s:.1f} s, {n} points")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
