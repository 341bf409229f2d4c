#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The sweep matrix (`make sweep-matrix`, issue 14): every shipped board x every mode its
"; Modes:" line claims x perm, test-revert and test-confirm x a small and a maximal image x all
six fault models, depth 1, one `brownout sweep --json` per cell. Prints a table (board, mode,
scenario, size: points, failures, seconds) and the replay IDs of failures; exits 1 on any
failure or a cell that cannot run, 2 on a usage error.

    scripts/sweep_matrix.py [--quick] [--board B]... [--mode M]... [--scenario S]...
                            [--size small|max]... [-j N] [--prefix-max N] [--no-cache]
                            [--build DIR]

--quick is the smoke test of tests/scripts/test_sweep_matrix.sh: one board (nrf52840), one
mode (overwrite), perm, the small image, 2 torn-prefix points per operation (the matrix: 8,
as the issue's whole-matrix run). The whole matrix takes hours on two cores.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

# The mode names of the boards' "; Modes:" lines, as `brownout sweep --mode` spells them.
MODE_NAMES = {
    "overwrite-only": "overwrite",
    "swap-using-scratch": "swap-scratch",
    "swap-using-move": "swap-move",
    "swap-using-offset": "swap-offset",
}
SCENARIOS = ["perm", "test-revert", "test-confirm"]
SIZES = ["small", "max"]
QUICK = {"board": "nrf52840", "mode": "overwrite", "scenario": "perm", "size": "small"}


def claimed_modes(path):
    """The modes of a board file's "; Modes:" line, or raise ValueError naming FILE:LINE."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.match(r";\s*Modes:\s*(.*)$", line)
            if m is None:
                continue
            modes = []
            for item in re.split(r"[,;.]", m.group(1)):
                item = item.strip()
                if item in MODE_NAMES:
                    modes.append(MODE_NAMES[item])
                elif item not in ("", "multi-image"):
                    raise ValueError(f"{path}:{n}: unknown mode '{item}' in the Modes line")
            return modes
    raise ValueError(f"{path}: no '; Modes:' line")


def run_cell(args, board, mode, scenario, size):
    """Sweeps one cell. Returns (points, failures, seconds, replay IDs, error or None)."""
    cmd = [args.brownout, "sweep", "--board", board, "--mode", mode, "--scenario", scenario,
           "--faults", "all", "--depth", "1", "--json", "-j", str(args.jobs),
           "--root", args.root]
    if size == "max":
        cmd += ["--image-size", "max"]
    if args.prefix_max > 0:
        cmd += ["--prefix-max", str(args.prefix_max)]
    if args.no_cache:
        cmd += ["--no-cache"]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    secs = time.monotonic() - t0
    if p.returncode not in (0, 1):
        why = p.stderr.strip().splitlines()
        return 0, 0, secs, [], why[-1] if why else f"exit status {p.returncode}"
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return 0, 0, secs, [], "the sweep printed no JSON"
    ids = [r["replay"] for r in doc.get("results", []) if r.get("status") == "fail"]
    return doc["points"], doc["failures"], secs, ids, None


def cells(args, boards):
    """The cells to run, in table order."""
    for board in boards:
        path = os.path.join(args.root, "fixtures", "boards", board + ".ini")
        modes = claimed_modes(path)
        for mode in modes:
            if args.mode and mode not in args.mode:
                continue
            for scenario in args.scenario or SCENARIOS:
                for size in args.size or SIZES:
                    yield board, mode, scenario, size


def parse_args(argv):
    root = os.environ.get("BROWNOUT_ROOT") or os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description="every shipped board x claimed mode x scenario x "
                                 "image size x all fault models, depth 1")
    ap.add_argument("--quick", action="store_true", help="one board, one mode (smoke test)")
    ap.add_argument("--board", action="append", help="only this board (repeatable)")
    ap.add_argument("--mode", action="append", choices=sorted(MODE_NAMES.values()))
    ap.add_argument("--scenario", action="append", choices=SCENARIOS)
    ap.add_argument("--size", action="append", choices=SIZES)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--prefix-max", type=int, default=None,
                    help="torn-prefix points per operation (default 8, --quick 2; 0: all)")
    ap.add_argument("--no-cache", action="store_true",
                    help="sweep without the tables of results already computed")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--root", default=root)
    args = ap.parse_args(argv)
    if args.prefix_max is None:
        args.prefix_max = 2 if args.quick else 8
    if args.quick:
        args.board = [QUICK["board"]]
        args.mode = [QUICK["mode"]]
        args.scenario = [QUICK["scenario"]]
        args.size = [QUICK["size"]]
    build = args.build if os.path.isabs(args.build) else os.path.join(args.root, args.build)
    args.brownout = os.path.join(build, "bin", "brownout")
    return args


def main(argv):
    args = parse_args(argv)
    if not os.access(args.brownout, os.X_OK):
        print(f"sweep_matrix: {args.brownout}: not built (make all)", file=sys.stderr)
        return 2
    bdir = os.path.join(args.root, "fixtures", "boards")
    boards = args.board or sorted(f[:-4] for f in os.listdir(bdir) if f.endswith(".ini"))
    try:
        todo = list(cells(args, boards))
    except (OSError, ValueError) as e:
        print(f"sweep_matrix: {e}", file=sys.stderr)
        return 2
    print(f"{'board':<18} {'mode':<13} {'scenario':<13} {'size':<6} {'points':>8} "
          f"{'failures':>8} {'seconds':>8}", flush=True)
    total = [0, 0, 0.0]
    bad = []
    for board, mode, scenario, size in todo:
        points, fails, secs, ids, error = run_cell(args, board, mode, scenario, size)
        total[0] += points
        total[1] += fails
        total[2] += secs
        note = f"  ERROR {error}" if error else ""
        print(f"{board:<18} {mode:<13} {scenario:<13} {size:<6} {points:>8} {fails:>8} "
              f"{secs:>8.1f}{note}", flush=True)
        if error or fails:
            bad.append((board, mode, scenario, size, error, ids))
    print(f"{'total':<18} {len(todo):>4} cells{'':<22} {total[0]:>8} {total[1]:>8} "
          f"{total[2]:>8.1f}")
    for board, mode, scenario, size, error, ids in bad:
        print(f"FAIL {board} {mode} {scenario} {size}: {error or f'{len(ids)} failures'}")
        for i in ids[:5]:
            print(f"  {i}")
    if bad:
        print(f"FAIL: {len(bad)} of {len(todo)} cells")
        return 1
    print(f"PASS: 0 failures in {len(todo)} cells")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
