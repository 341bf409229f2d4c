#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of the `brownout sweep` command line (sim/sweep/sweep_cli.c) as a user runs it: the summary
and exit codes, --json, --junit, --shard with --merge, --shard auto from each batch engine's
environment, --replay with --trace and --log, and clear errors for bad arguments and malformed
replay IDs, each with its sysexits code (the table of docs/sweep.md). The sweep engine itself is tested in
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

# The exit status table of docs/sweep.md and `brownout sweep --help` (sysexits.h).
EX_OK, EX_FAIL, EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_SOFTWARE, EX_CANTCREAT = 0, 1, 64, 65, 66, \
    70, 73

ROOT = os.environ.get("BROWNOUT_ROOT",
                      os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("BUILD", "build")
BIN = os.path.join(ROOT, BUILD, "bin", "brownout")

# Every variable --shard auto reads (sim/sweep/sweep_shard.c).
SHARD_VARS = ("BROWNOUT_SHARD_INDEX", "BROWNOUT_SHARD_COUNT", "JOB_COMPLETION_INDEX",
              "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT",
              "CI_NODE_INDEX", "CI_NODE_TOTAL", "PARALLEL_SEQ")

# A small exhaustive sweep: every op of a permanent overwrite upgrade on stm32f4, two models.
SMALL = ["--board", "stm32f4", "--mode", "overwrite", "--scenario", "perm",
         "--faults", "before,after,torn-prefix", "--prefix-max", "2"]

# A depth-2 point on stm32h7 with a maximal image whose repair keeps the image bytes of the
# primary's trailer sector in the secondary (tests/unit/core/boot/test_depth2.c).
JOURNAL_ID = ("bo1:test-confirm:overwrite:stm32h7:max:1:173:before:0:dddb32b03a7e8400:379:weak:"
              "s:cdb15038502f37b1:667009ab")


def sweep(*args, env=None):
    """Runs `brownout sweep ARGS` (in the environment env, default this one without any batch
    engine's shard variable); returns (exit code, stdout, stderr)."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k not in SHARD_VARS}
    p = subprocess.run([BIN, "sweep", "--root", ROOT] + list(args), capture_output=True,
                       text=True, timeout=600, check=False, env=env)
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
        self.assertEqual(rc, EX_DATAERR)
        self.assertIn("sweep:", err)
        # Nor is one that lacks a shard: no verdict at all, and the missing shard is named.
        rc, out, err = sweep("--merge", parts[0], parts[2])
        self.assertEqual(rc, EX_DATAERR)
        self.assertNotIn("PASS", out)
        self.assertIn("shard 2 of 3 is missing", err)

    def test_no_cache_gives_byte_identical_json(self):
        """--no-cache runs every boot, run after a cut and signature check: the same JSON, byte
        for byte, on a swap mode whose recoveries share states, and with failures (an ECC board
        where torn units read as errors)."""
        for extra in (["--board", "nrf52840", "--mode", "swap-move", "--prefix-max", "2"],
                      ["--board", "stm32h7", "--mode", "swap-scratch", "--faults", "after,torn-bits",
                       "--ecc-torn", "read-error", "--random", "40"]):
            outs = []
            for cache in ([], ["--no-cache"]):
                rc, out, err = sweep(*(["--scenario", "perm", "-j", "2", "--json"] + extra + cache))
                self.assertIn(rc, (0, 1), err)
                outs.append(out)
            self.assertGreater(len(json.loads(outs[0])["results"]), 0)
            self.assertEqual(outs[0], outs[1], " ".join(extra))

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
            self.assertEqual(rc, EX_DATAERR, (bad, out, err))
            self.assertIn("sweep: replay: malformed replay ID", err)

    def test_bad_arguments(self):
        """Usage errors exit 64 with one line that names the option (and lists an enum's
        values); the usage page is not dumped on stderr."""
        cases = [
            (SMALL + ["--depth", "3"], "--depth is 1 or 2"),
            (["--board", "stm32f4", "--mode", "nope", "--scenario", "perm"],
             "--mode: unknown mode 'nope' (overwrite, swap-scratch, swap-move, swap-offset)"),
            (["--board", "stm32f4", "--mode", "overwrite", "--scenario", "x"],
             "--scenario: unknown scenario 'x' (perm, test-revert, test-confirm, multi-image, "
             "downgrade)"),
            (SMALL + ["--faults", "before,lightning"], "--faults: bad fault list "
             "'before,lightning' (before, after, torn-prefix, torn-bits, erase-partial, weak"),
            (SMALL + ["--shard", "4/3"], "--shard is I/N with 1 <= I <= N, or auto"),
            (SMALL + ["--jobs", "0"], "--jobs is 1..1024, not '0'"),
            (SMALL + ["--seed", "x"], "--seed: bad number 'x'"),
            (SMALL + ["--image-size", "-1"], "--image-size is a number of bytes or max"),
            (SMALL + ["--bogus"], "unrecognized option '--bogus'"),
            (SMALL + ["--trace", self.path("t")], "--replay"),
            (["--merge"], "--merge"),
            (SMALL + ["stray"], "unexpected argument"),
            (["--merge", "a.json", "--bundle", self.path("b")], "--merge takes JSON files"),
            (SMALL + ["--device", "dev0"], "--device goes with --config"),
            (SMALL + ["--key", "k"] * 5, "at most 4 --key"),
            (["--random-boards", "0"], "--random-boards is 1..1000000, not '0'"),
            (["--random-boards", "2", "--board", "stm32f4"], "--random-boards goes without"),
            (["--random-boards", "2", "--bootloader", "mcuboot"],
             "--random-boards goes without --bootloader mcuboot"),
            (SMALL + ["--bootloader", "MCUboot"], "unknown bootloader 'MCUboot'"),
            (SMALL + ["--levels", "1,1000"], "--levels is up to 16 permille levels in 1..999"),
            (SMALL + ["--levels", ""], "--levels is up to 16 permille levels in 1..999"),
            (SMALL + ["--levels", "5,5"], "--levels: 5 is given twice"),
            (SMALL + ["--ecc-torn", "zero"],
             "--ecc-torn: unknown 'zero' (erased, read-error, garbage)"),
        ]
        for args, word in cases:
            rc, out, err = sweep(*args)
            self.assertEqual(rc, EX_USAGE, (args, out, err))
            self.assertIn(word, err, args)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertEqual(out, "")
        self.assertFalse(os.path.exists(self.path("t")))

    def test_verdicts_exit_0_and_1(self):
        """PASS is 0; a point that fails is a verdict, 1, not an error (a torn ECC unit that
        reads as an uncorrectable error stops the core: README's known limits)."""
        rc, out, err = sweep("--board", "stm32h7", "--mode", "swap-scratch", "--scenario", "perm",
                             "--faults", "torn-bits", "--ecc-torn", "read-error")
        self.assertEqual(rc, EX_FAIL, out + err)
        self.assertRegex(out, r"FAIL: [1-9][0-9]* of [0-9]+ cut points failed")

    def write(self, name, text):
        with open(self.path(name), "w", encoding="utf-8") as f:
            f.write(text)
        return self.path(name)

    def test_malformed_data_exits_65(self):
        """A malformed board, image, key, bundle, result or replay ID: 65, one line."""
        board = self.write("board.ini", "[flash]\nname = f\nbogus = 1\n")
        image = self.write("image.bin", "not an image\n")
        key = self.write("key.pem", "not a key\n")
        result = self.write("result.json", "{\"brownout_sweep\": 1\n")
        os.mkdir(self.path("bundle"))
        pub = os.path.join(ROOT, "fixtures", "keys", "ec256.pub.pem")
        cases = [
            (["--board", board, "--mode", "overwrite", "--scenario", "perm"], board + ":"),
            (SMALL + ["--image-old", image, "--image-new", image, "--key", pub],
             "--image-old %s: not a signed image" % image),
            (SMALL + ["--key", key], key + ": not a private or public key"),
            (["--merge", result], result + ":"),
            (["--replay", "bo2:perm", "--bundle", self.path("bundle")], "not a bundle"),
            (["--replay", "bo2:perm"], "malformed replay ID"),
        ]
        for args, word in cases:
            rc, out, err = sweep(*args)
            self.assertEqual(rc, EX_DATAERR, (args, out, err))
            self.assertIn(word, err, args)
            self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_missing_input_exits_66(self):
        """A file named on the command line that does not exist: 66, one line naming it."""
        none = self.path("none")
        pub = os.path.join(ROOT, "fixtures", "keys", "ec256.pub.pem")
        cases = [
            ["--board", none + ".ini", "--mode", "overwrite", "--scenario", "perm"],
            ["--board", "no-such-board", "--mode", "overwrite", "--scenario", "perm"],
            SMALL + ["--image-old", none, "--image-new", none, "--key", pub],
            SMALL + ["--key", none],
            ["--config", none, "--scenario", "perm"],
            ["--merge", none],
            ["--replay", "bo2:perm", "--bundle", none],
        ]
        for args in cases:
            rc, out, err = sweep(*args)
            self.assertEqual(rc, EX_NOINPUT, (args, out, err))
            self.assertRegex(err, r"^sweep: \S*(none|no-such-board)\S*: No such file", args)
            self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_unwritable_output_exits_73_before_the_sweep(self):
        self.write("file", "x")
        for args in (["--junit", self.path("no/such/dir/j.xml")],
                     ["--bundle", self.path("file")],
                     ["--bundle", self.path("file/sub")],
                     ["--random-boards", "1", "--save-boards", self.path("file")],
                     ["--replay", JOURNAL_ID, "--trace", self.path("no/dir/t.jsonl")]):
            rc, out, err = sweep(*((SMALL if args[0] in ("--junit", "--bundle") else []) + args))
            self.assertEqual(rc, EX_CANTCREAT, (args, out, err))
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            # Nothing ran: no summary, no verdict.
            self.assertEqual(out, "", args)

    def test_help_documents_the_exit_status(self):
        rc, out, err = sweep("--help")
        self.assertEqual(rc, EX_OK, err)
        text = " ".join(out.split())
        for code, what in ((0, "PASS"), (1, "FAIL"), (64, "usage"), (65, "bad data"),
                           (66, "no input"), (70, "internal error"), (73, "cannot be created")):
            self.assertRegex(text, r"\b%d [^,]*%s" % (code, what))
        with open(os.path.join(ROOT, "docs", "sweep.md"), encoding="utf-8") as f:
            doc = f.read()
        for code in (0, 1, 64, 65, 66, 70, 73):
            self.assertRegex(doc, r"\n\| %d \|" % code)


class ShardAutoTest(unittest.TestCase):
    """--shard auto takes I/N from the environment of each batch engine (docs/distributed.md)."""

    ENGINES = [
        ({"BROWNOUT_SHARD_INDEX": "2", "BROWNOUT_SHARD_COUNT": "3"}, (2, 3)),
        ({"JOB_COMPLETION_INDEX": "0", "BROWNOUT_SHARD_COUNT": "3"}, (1, 3)),
        ({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"}, (3, 3)),
        ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4",
          "SLURM_ARRAY_TASK_COUNT": "3"}, (2, 3)),
        ({"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"}, (3, 3)),
        ({"PARALLEL_SEQ": "1", "BROWNOUT_SHARD_COUNT": "3"}, (1, 3)),
        # Precedence: the explicit variables, Kubernetes, Slurm, GitLab, GNU parallel.
        ({"BROWNOUT_SHARD_INDEX": "1", "BROWNOUT_SHARD_COUNT": "3", "PARALLEL_SEQ": "2",
          "SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, (1, 3)),
        ({"JOB_COMPLETION_INDEX": "2", "BROWNOUT_SHARD_COUNT": "3", "SLURM_ARRAY_TASK_ID": "0",
          "SLURM_ARRAY_TASK_COUNT": "3"}, (3, 3)),
        ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3", "CI_NODE_INDEX": "2",
          "CI_NODE_TOTAL": "3", "PARALLEL_SEQ": "3", "BROWNOUT_SHARD_COUNT": "3"}, (1, 3)),
    ]

    @staticmethod
    def env(extra):
        base = {k: v for k, v in os.environ.items() if k not in SHARD_VARS}
        base.update(extra)
        return base

    def test_each_engine(self):
        quick = ["--board", "stm32f4", "--mode", "overwrite", "--scenario", "perm", "--faults",
                 "before", "--json"]
        for extra, (index, count) in self.ENGINES:
            rc, out, err = sweep(*(quick + ["--shard", "auto"]), env=self.env(extra))
            self.assertEqual(rc, EX_OK, (extra, err))
            res = json.loads(out)
            self.assertEqual((res["shard_index"], res["shard_count"]), (index, count), extra)
            rc, same, err = sweep(*(quick + ["--shard", "%d/%d" % (index, count)]))
            self.assertEqual(rc, EX_OK, err)
            self.assertEqual(json.loads(same), res, extra)

    def test_refusals(self):
        cases = [
            ({}, "no shard index in the environment"),
            ({"PARALLEL_SEQ": "2"}, "PARALLEL_SEQ (GNU parallel) is set but not the shard count "
             "BROWNOUT_SHARD_COUNT"),
            ({"JOB_COMPLETION_INDEX": "3", "BROWNOUT_SHARD_COUNT": "3"},
             "JOB_COMPLETION_INDEX=3 is not one of 3 shards counted from 0"),
            ({"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "2"}, "CI_NODE_INDEX=0 is not one of 2"),
            ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"},
             "SLURM_ARRAY_TASK_ID='x' is not a number"),
            ({"BROWNOUT_SHARD_INDEX": "1", "BROWNOUT_SHARD_COUNT": "0"},
             "BROWNOUT_SHARD_INDEX=1 is not one of 0"),
        ]
        for extra, word in cases:
            rc, out, err = sweep(*(SMALL + ["--shard", "auto"]), env=self.env(extra))
            self.assertEqual(rc, EX_USAGE, (extra, out, err))
            self.assertIn("sweep: --shard auto: " + word, err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertEqual(out, "")


if __name__ == "__main__":
    if not os.access(BIN, os.X_OK):
        sys.exit("test_sweep_cli: %s is not built" % BIN)
    unittest.main()
