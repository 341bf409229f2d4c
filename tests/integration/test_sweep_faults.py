#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of `brownout sweep --faults` with the non-cut fault models (errors, drop, bitflip,
wearout) as a user runs it: the summary, exit codes, --json, --junit, replay IDs that carry
the model and its parameter and replay exactly, and refusals of bad parameters. The models
themselves are tested in tests/unit/sim/sweep/test_sweep_fault.c. Python standard library only.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_sweep_faults.py [-v]
"""
import json
import os
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

ROOT = os.environ.get("BROWNOUT_ROOT",
                      os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("BUILD", "build")
BIN = os.path.join(ROOT, BUILD, "bin", "brownout")
BASE = ["--board", "nrf52840", "--mode", "swap-scratch", "--scenario", "perm", "-j", "2"]


def sweep(*args):
    """Runs `brownout sweep ARGS`; returns (exit code, stdout, stderr)."""
    p = subprocess.run([BIN, "sweep", "--root", ROOT] + list(args), capture_output=True,
                       text=True, timeout=600, check=False)
    return p.returncode, p.stdout, p.stderr


class SweepFaultsTest(unittest.TestCase):
    def test_errors_pass(self):
        rc, out, err = sweep(*BASE, "--faults", "errors,bitflip")
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"\n  errors +[1-9]")
        self.assertRegex(out, r"\n  bitflip +[1-9]")
        self.assertIn("PASS", out)

    def test_drop_json_junit_and_replay(self):
        with tempfile.TemporaryDirectory() as tmp:
            junit = os.path.join(tmp, "j.xml")
            rc, out, err = sweep(*BASE, "--faults", "drop:rate=1/30", "--json", "--junit", junit)
            res = json.loads(out)
            self.assertEqual(res["faults"], ["drop"])
            self.assertEqual(rc, 1 if res["failures"] else 0, err)
            ids = [r["replay"] for r in res["results"]]
            self.assertTrue(ids)
            self.assertTrue(all(":drop:30:" in i for i in ids), ids[:3])
            root = ET.parse(junit).getroot()
            self.assertEqual(int(root.get("failures", root[0].get("failures"))),
                             res["failures"])
        # Every failure (or the first point) replays to the same verdict.
        failed = [r for r in res["results"] if r["status"] != "pass"]
        for r in (failed or res["results"])[:2]:
            rc, out, err = sweep("--replay", r["replay"])
            self.assertEqual(rc, 1 if r in failed else 0, out + err)
            if r in failed:
                self.assertIn(r["message"], out)

    def test_merge_needs_the_same_parameters(self):
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for shard, rate in (("1/2", "30"), ("2/2", "30"), ("2/2", "31")):
                rc, out, err = sweep(*BASE, "--faults", "drop:rate=1/" + rate, "--shard", shard,
                                     "--json")
                self.assertIn(rc, (0, 1), err)
                self.assertEqual(json.loads(out)["fault_params"]["drop_rate"], int(rate))
                files.append(os.path.join(tmp, "%d.json" % len(files)))
                with open(files[-1], "w") as f:
                    f.write(out)
            rc, out, err = sweep("--merge", files[0], files[1], "--json")
            self.assertIn(rc, (0, 1), err)
            self.assertEqual(json.loads(out)["fault_params"]["drop_rate"], 30)
            rc, out, err = sweep("--merge", files[0], files[2])
            self.assertEqual(rc, 65, out + err)
            self.assertIn("not shards of one sweep", err)
            self.assertNotIn("PASS", out)

    def test_bad_parameters(self):
        for bad in ("errors:rate=2/3", "errors:rate=1/0", "wearout:rate=1/2", "drop:erases=1",
                    "weak:rate=1/2", "smoke"):
            rc, out, err = sweep(*BASE, "--faults", bad)
            self.assertEqual(rc, 64, bad)
            self.assertIn("bad fault list '%s'" % bad, err)


if __name__ == "__main__":
    unittest.main()
