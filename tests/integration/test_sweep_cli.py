#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of the `brownout sweep` command line (sim/sweep/sweep_cli.c) as a user runs it: the summary
and exit codes, --json, --junit, --shard with --merge, --replay with --trace and --log, and
clear errors for bad arguments and malformed replay IDs. The sweep engine itself is tested in
tests/unit/sim/sweep/test_sweep.c. Python standard library only.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_sweep_cli.py [-v]
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

ROOT = os.environ.get("BROWNOUT_ROOT",
                      os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("BUILD", "build")
BIN = os.path.join(ROOT, BUILD, "bin", "brownout")

# A small exhaustive sweep: every op of a permanent overwrite upgrade on stm32f4, two models.
SMALL = ["--board", "stm32f4", "--mode", "overwrite", "--scenario", "perm",
         "--faults", "before,after,torn-prefix", "--prefix-max", "2"]

# A depth-2 point on stm32h7 with a maximal image whose repair keeps the image bytes of the
# primary's trailer sector in the secondary (tests/unit/core/boot/test_depth2.c).
JOURNAL_ID = ("bo1:test-confirm:overwrite:stm32h7:max:1:173:before:0:dddb32b03a7e8400:379:weak:"
              "s:cdb15038502f37b1:667009ab")


def sweep(*args):
    """Runs `brownout sweep ARGS`; returns (exit code, stdout, stderr)."""
    p = subprocess.run([BIN, "sweep", "--root", ROOT] + list(args), capture_output=True,
                       text=True, timeout=600, check=False)
    return p.returncode, p.stdout, p.stderr


class SweepCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def run_json(self, *args):
        rc, out, err = sweep(*(list(SMALL) + list(args) + ["--json"]))
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def test_summary_and_exit_code(self):
        rc, out, err = sweep(*SMALL)
        self.assertEqual(rc, 0, err)
        self.assertIn("sweep perm on stm32f4, overwrite, depth 1", out)
        for model in ("before", "after", "torn-prefix"):
            self.assertRegex(out, r"\n  %s +[1-9]" % model)
        self.assertRegex(out, r"PASS: 0 of [1-9][0-9]* cut points failed")

    def test_json_lists_every_point_with_a_replay_id(self):
        res = self.run_json()
        self.assertEqual(res["brownout_sweep"], 1)
        self.assertEqual((res["board"], res["mode"], res["failures"]),
                         ("stm32f4", "overwrite", 0))
        self.assertEqual(len(res["results"]), res["points"])
        self.assertGreater(res["points"], res["ops"])
        for r in res["results"]:
            self.assertEqual(r["status"], "pass")
            self.assertRegex(r["replay"], r"^bo2:perm:overwrite:stm32f4:d:1:[0-9a-f]{16}:")

    def test_replay_from_another_directory(self):
        """A shipped board's ID replays from any directory, with no --root (the binary finds
        the boards of the tree it was built in)."""
        some = self.run_json()["results"][5]["replay"]
        env = dict(os.environ)
        env.pop("BROWNOUT_ROOT", None)
        p = subprocess.run([os.path.abspath(BIN), "sweep", "--replay", some], capture_output=True,
                           text=True, timeout=600, check=False, cwd=self.tmp.name, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("replay %s\n" % some, p.stdout)
        self.assertIn("PASS: every invariant holds", p.stdout)

    def test_junit_has_one_testcase_per_point(self):
        rc, out, err = sweep(*(SMALL + ["--junit", self.path("j.xml")]))
        self.assertEqual(rc, 0, err)
        suites = ET.parse(self.path("j.xml")).getroot()
        cases = suites.findall("./testsuite/testcase")
        points = int(suites.find("testsuite").get("tests"))
        self.assertEqual(len(cases), points)
        self.assertEqual(suites.find("testsuite").get("failures"), "0")
        self.assertIn("PASS: 0 of %d cut points failed" % points, out)

    def test_shards_merge_to_the_whole_sweep(self):
        whole = self.run_json("-j", "2")
        parts = []
        for i in (1, 2, 3):
            rc, out, err = sweep(*(SMALL + ["--shard", "%d/3" % i, "--json"]))
            self.assertEqual(rc, 0, err)
            parts.append(self.path("s%d.json" % i))
            with open(parts[-1], "w", encoding="utf-8") as f:
                f.write(out)
        rc, out, err = sweep("--merge", *(parts + ["--json"]))
        self.assertEqual(rc, 0, err)
        merged = json.loads(out)
        self.assertEqual(merged["points"], whole["points"])
        key = lambda r: r["replay"]  # noqa: E731
        self.assertEqual(sorted(merged["results"], key=key), sorted(whole["results"], key=key))
        # A shard given twice is not a whole sweep.
        rc, out, err = sweep("--merge", parts[0], parts[0], parts[1])
        self.assertEqual(rc, 2)
        self.assertIn("sweep:", err)
        # Nor is one that lacks a shard: no verdict at all, and the missing shard is named.
        rc, out, err = sweep("--merge", parts[0], parts[2])
        self.assertEqual(rc, 2)
        self.assertNotIn("PASS", out)
        self.assertIn("shard 2 of 3 is missing", err)

    def test_replay_with_trace_and_log(self):
        rc, out, err = sweep("--replay", JOURNAL_ID, "--trace", self.path("t.jsonl"), "--log")
        self.assertEqual(rc, 0, err)
        self.assertIn("second cut: recovery op 379 weak", out)
        self.assertIn("PASS: every invariant holds", out)
        # The log shows the repair that keeps the image bytes of the trailer's sector.
        self.assertIn("log [boot] image 0: rewriting the primary trailer after a torn write", out)
        with open(self.path("t.jsonl"), encoding="utf-8") as f:
            ops = [json.loads(line) for line in f]
        cuts = [o for o in ops if o.get("fault") == "cut"]
        self.assertEqual([c["model"] for c in cuts], ["before", "weak"])
        # The trace numbers operations as the ID does: the first cut is operation 173 of the
        # action, the second operation 379 of the recovery (the device's own count is device-op).
        self.assertEqual([(c["op"], c["phase"]) for c in cuts], [(173, "action"),
                                                                 (379, "recovery")])
        self.assertNotEqual(cuts[0]["device-op"], 173)
        for phase in ("action", "recovery"):
            numbers = [o["op"] for o in ops if o.get("phase") == phase and o["op"] is not None]
            self.assertEqual(numbers, list(range(len(numbers))), phase)
        self.assertGreaterEqual(sum(1 for o in ops if o.get("kind") == "power-on"), 2)
        # Without --log no log line is printed.
        rc, out, err = sweep("--replay", JOURNAL_ID)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("log [", out)

    def test_malformed_and_tampered_replay_ids(self):
        for bad in ("", "bo1:perm", "bo2:" + JOURNAL_ID[4:],
                    JOURNAL_ID[:-1] + ("0" if JOURNAL_ID[-1] != "0" else "1"),
                    JOURNAL_ID.replace(":379:", ":378:")):
            rc, out, err = sweep("--replay", bad)
            self.assertEqual(rc, 2, (bad, out, err))
            self.assertIn("sweep: replay: malformed replay ID", err)

    def test_bad_arguments(self):
        cases = [
            (SMALL + ["--depth", "3"], "depth"),
            (["--board", "stm32f4", "--mode", "nope", "--scenario", "perm"], "mode"),
            (SMALL + ["--faults", "before,lightning"], "fault"),
            (["--board", "no-such-board", "--mode", "overwrite", "--scenario", "perm"], "board"),
            (SMALL + ["--shard", "4/3"], "shard"),
            (SMALL + ["--trace", self.path("t")], "--replay"),
            (["--merge"], "--merge"),
            (SMALL + ["stray"], "unexpected argument"),
            (["--merge", "a.json", "--bundle", self.path("b")], "--merge takes JSON files"),
            (SMALL + ["--device", "dev0"], "--device goes with --config"),
            (SMALL + ["--key", "k"] * 5, "at most 4 --key"),
        ]
        for args, word in cases:
            rc, out, err = sweep(*args)
            self.assertEqual(rc, 2, (args, out, err))
            self.assertIn(word, err, args)
        self.assertFalse(os.path.exists(self.path("t")))


if __name__ == "__main__":
    if not os.access(BIN, os.X_OK):
        sys.exit("test_sweep_cli: %s is not built" % BIN)
    unittest.main()
