#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of `brownout sweep` on the user's own artefacts, as a user runs it: images signed on the
fly by MCUboot's real imgtool (scripts/imgtool.py of the peer tree, run with /usr/bin/python3),
public keys, a brownoutd configuration, --bundle and replays from another directory, replays
whose inputs differ (refused with the reason), output paths checked before the sweep, and the
example of docs/sweep.md.
Python standard library only (imgtool brings its own dependencies from Debian).

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_sweep_own.py [-v]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.environ.get("BROWNOUT_ROOT",
                      os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("BUILD", "build")
BIN = os.path.abspath(os.path.join(ROOT, BUILD, "bin", "brownout"))
PEERS = os.environ.get("BROWNOUT_PEERS", "/work/shared/peers")
IMGTOOL = os.path.join(PEERS, "mcuboot", "scripts", "imgtool.py")
KEYS = os.path.join(ROOT, "fixtures", "keys")
BOARD = os.path.join(ROOT, "fixtures", "boards", "stm32f4.ini")
# A small exhaustive sweep of a permanent overwrite upgrade on stm32f4 (0x60000-byte slots).
SWEEP = ["--mode", "overwrite", "--scenario", "perm", "--faults", "before,after"]


def run(args, cwd):
    """Runs `brownout ARGS` in cwd; returns (exit code, stdout, stderr)."""
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=600,
                       check=False, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def imgtool_sign(key, version, payload, out):
    """Signs payload with MCUboot's imgtool as a user would for stm32f4."""
    subprocess.run(["/usr/bin/python3", IMGTOOL, "sign", "-k", key, "--version", version,
                    "-H", "0x200", "--pad-header", "-S", "0x60000", "--align", "1",
                    payload, out], check=True, capture_output=True, timeout=120)


@unittest.skipUnless(os.path.exists(IMGTOOL), "MCUboot's imgtool is not at " + IMGTOOL)
class SweepOwnTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.signed = tempfile.TemporaryDirectory()
        payload = os.path.join(cls.signed.name, "payload.bin")
        with open(payload, "wb") as f:
            f.write(bytes((i * 7 + 3) & 0xff for i in range(6000)))
        cls.payload = payload
        cls.v1 = os.path.join(cls.signed.name, "app-v1.bin")
        cls.v2 = os.path.join(cls.signed.name, "app-v2.bin")
        imgtool_sign(os.path.join(KEYS, "ec256.pem"), "1.0.0", payload, cls.v1)
        imgtool_sign(os.path.join(KEYS, "ec256.pem"), "2.0.0", payload, cls.v2)
        cls.pub = os.path.join(KEYS, "ec256.pub.pem")

    @classmethod
    def tearDownClass(cls):
        cls.signed.cleanup()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.work = self.path("work")
        self.elsewhere = self.path("elsewhere")
        os.mkdir(self.work)
        os.mkdir(self.elsewhere)
        shutil.copy(self.v1, self.path("app-v1.bin"))
        shutil.copy(self.v2, self.path("app-v2.bin"))

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def own(self, *extra, cwd=None):
        """Sweeps the imgtool images with the public key only."""
        return run(["sweep", "--board", BOARD] + SWEEP +
                   ["--image-old", self.v1, "--image-new", self.v2, "--key", self.pub] +
                   list(extra), cwd or self.work)

    def test_own_images_with_a_public_key(self):
        rc, out, err = self.own("--json")
        self.assertEqual(rc, 0, err)
        res = json.loads(out)
        self.assertEqual((res["board"], res["failures"]), ("stm32f4", 0))
        self.assertEqual(res["image_size"], os.path.getsize(self.v2))
        for r in res["results"]:
            self.assertEqual(r["status"], "pass")
            self.assertRegex(r["replay"], r"^bo2:perm:overwrite:stm32f4:u:1:[0-9a-f]{16}:")

    def test_bundle_replays_from_another_directory(self):
        # The board is given relative to the sweep's directory.
        shutil.copy(BOARD, os.path.join(self.work, "my-board.ini"))
        rc, out, err = run(["sweep", "--board", "my-board.ini"] + SWEEP +
                           ["--image-old", self.v1, "--image-new", self.v2, "--key", self.pub,
                            "--bundle", "bundle", "--json"], self.work)
        self.assertEqual(rc, 0, err)
        ids = [r["replay"] for r in json.loads(out)["results"]]
        bundle = os.path.join(self.work, "bundle")
        self.assertEqual(sorted(os.listdir(bundle)), ["board.ini", "image-new.bin",
                                                       "image-old.bin", "key-1.pem",
                                                       "replay-ids.txt"])
        some = ids[len(ids) // 2]
        self.assertTrue(some.startswith("bo2:perm:overwrite:my-board:u:1:"), some)
        rc, out, err = run(["sweep", "--replay", some, "--bundle", bundle], self.elsewhere)
        self.assertEqual(rc, 0, err)
        self.assertIn("PASS: every invariant holds", out)
        self.assertIn("replay " + some, out)
        # Without the bundle the user's board and images are nowhere: a clear refusal.
        rc, out, err = run(["sweep", "--replay", some], self.elsewhere)
        self.assertEqual(rc, 65, out)
        self.assertIn("--bundle", err)
        self.assertNotIn("PASS", out)

    def test_replay_refuses_other_inputs(self):
        rc, out, err = self.own("--bundle", "b", "--json")
        self.assertEqual(rc, 0, err)
        some = json.loads(out)["results"][3]["replay"]
        bundle = os.path.join(self.work, "b")

        def replay():
            return run(["sweep", "--replay", some, "--bundle", bundle], self.elsewhere)

        # Another image (same key, same versions, other bytes).
        with open(self.path("other.bin"), "wb") as f:
            f.write(bytes(range(256)) * 20)
        keep = self.path("keep.bin")
        shutil.copy(os.path.join(bundle, "image-new.bin"), keep)
        imgtool_sign(os.path.join(KEYS, "ec256.pem"), "2.0.0", self.path("other.bin"),
                     os.path.join(bundle, "image-new.bin"))
        rc, out, err = replay()
        self.assertEqual(rc, 65, out)
        self.assertIn("the images are not the ID's", err)
        shutil.copy(keep, os.path.join(bundle, "image-new.bin"))
        # The board file changed (one more comment line).
        with open(os.path.join(bundle, "board.ini"), "a", encoding="utf-8") as f:
            f.write("; edited\n")
        rc, out, err = replay()
        self.assertEqual(rc, 65, out)
        self.assertIn("board.ini is not the one the ID was made with", err)
        self.assertNotIn("images", err)
        shutil.copy(BOARD, os.path.join(bundle, "board.ini"))
        # Another trusted key that signs nothing here: the images no longer validate.
        shutil.copy(os.path.join(KEYS, "interop-ec256.pub.pem"), os.path.join(bundle, "key-1.pem"))
        rc, out, err = replay()
        self.assertEqual(rc, 65, out)
        self.assertIn("not a signed image the keys trust", err)
        # Both keys trusted: the images validate, but the keys are not the ID's.
        shutil.copy(self.pub, os.path.join(bundle, "key-2.pem"))
        rc, out, err = replay()
        self.assertEqual(rc, 65, out)
        self.assertIn("the trusted keys are not the ID's", err)
        # The bundle restored: the point replays again.
        os.remove(os.path.join(bundle, "key-2.pem"))
        shutil.copy(self.pub, os.path.join(bundle, "key-1.pem"))
        rc, out, err = replay()
        self.assertEqual(rc, 0, err)

    def test_daemon_configuration(self):
        cfg = self.path("daemon.ini")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write("[device dev0]\nboard = %s\nmode = overwrite\nkey = %s\n"
                    "image = primary=app-v1.bin\nimage = secondary=app-v2.bin\n"
                    "downgrade-prevention = true\n\n"
                    "[device dev1]\nboard = %s\nmode = swap-scratch\nkey = missing.pem\n"
                    % (BOARD, self.pub, BOARD))
        rc, out, err = run(["sweep", "--config", cfg, "--device", "dev0", "--scenario",
                            "test-confirm", "--faults", "before", "--json"], self.elsewhere)
        self.assertEqual(rc, 0, err)
        res = json.loads(out)
        self.assertEqual((res["mode"], res["failures"]), ("overwrite", 0))
        self.assertEqual(res["image_size"], os.path.getsize(self.v2))
        self.assertTrue(res["results"][0]["replay"].startswith(
            "bo2:test-confirm:overwrite:stm32f4:u:1:"))
        # The command line wins over the file.
        rc, out, err = run(["sweep", "--config", cfg, "--device", "dev0", "--mode", "swap-move",
                            "--scenario", "perm", "--faults", "before", "--random", "3",
                            "--json"], self.elsewhere)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["mode"], "swap-move")
        # A device whose key cannot be read: one line with the file and the device's line.
        rc, out, err = run(["sweep", "--config", cfg, "--device", "dev1", "--scenario", "perm"],
                           self.elsewhere)
        self.assertEqual(rc, 65, out)
        self.assertIn("%s:9: device 'dev1': key" % cfg, err)
        for args, word in ((["--device", "nope"], "no device 'nope'"),
                           ([], "2 devices: name one with --device")):
            rc, out, err = run(["sweep", "--config", cfg, "--scenario", "perm"] + args,
                               self.elsewhere)
            self.assertEqual(rc, 65, out)
            self.assertIn(word, err)

    def test_bad_own_inputs(self):
        other = self.path("other-key.bin")
        imgtool_sign(os.path.join(KEYS, "interop-ec256-other.pem"), "2.0.0",
                     self.payload, other)
        cases = [
            (["--image-old", self.v1, "--image-new", other, "--key", self.pub],
             "--image-new %s: not a signed image the keys trust" % other),
            (["--image-old", self.v1, "--image-new", self.v1, "--key", self.pub],
             "the same version 1.0.0"),
            (["--image-old", self.v1, "--key", self.pub], "go together"),
            (["--key", self.pub], "need a private signing key"),
            (["--image-old", self.v1, "--image-new", self.path("none.bin"), "--key", self.pub],
             "none.bin"),
        ]
        for args, word in cases:
            rc, out, err = run(["sweep", "--board", BOARD] + SWEEP + args, self.work)
            self.assertEqual(rc, 66 if word == "none.bin" else 65, (args, out, err))
            self.assertIn(word, err, args)
            self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_the_documented_example_runs(self):
        """docs/sweep.md's example of the user's own images runs as written (with this build's
        brownout), and both of its sweeps pass."""
        with open(os.path.join(ROOT, "docs", "sweep.md"), encoding="utf-8") as f:
            doc = f.read()
        start = doc.index("```sh\n", doc.index("An example that runs as written")) + 6
        script = doc[start:doc.index("```", start)].replace("build/bin/brownout", BIN)
        env = dict(os.environ, TMPDIR=self.tmp.name)
        p = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True,
                           text=True, timeout=600, check=False, cwd=ROOT, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count("PASS: 0 of"), 2, p.stdout)
        self.assertIn("bundle: ", p.stdout)

    def test_outputs_are_checked_before_the_sweep(self):
        with open(self.path("file"), "w", encoding="utf-8") as f:
            f.write("x")
        for args, word in ((["--junit", self.path("no/such/dir/j.xml")], "j.xml: cannot write"),
                           (["--bundle", self.path("file")], "file: not a directory"),
                           (["--bundle", self.path("file/sub")], "file/sub: cannot create")):
            rc, out, err = self.own(*args)
            self.assertEqual(rc, 73, (args, out, err))
            self.assertIn(word, err)
            # Nothing ran: no summary, no verdict.
            self.assertEqual(out, "")


if __name__ == "__main__":
    if not os.access(BIN, os.X_OK):
        sys.exit("test_sweep_own: %s is not built" % BIN)
    unittest.main()
