#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every shipped board, end to end through brownoutd and the brownout CLI: boot an image, stage
a test image, reset (a test swap), `brownout confirm`, reset again, and check that the new image
stays and that BOOT_DONE's trailer fields say what MCUboot's would. Then every mode a board's
"; Modes:" line claims is swept at depth 1 (small image, two fault models, --prefix-max 1).
Python standard library only.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_boards.py [-v] [TestCase...]

Images are signed for each board as a user would: --align of the board's write unit, the
board's erased value and --max-sectors of its max-sectors key (imgtool's options).
"""
import concurrent.futures
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import BIN, KEY, PUB, ROOT, DaemonTest  # noqa: E402

BOARDS = sorted(glob.glob(os.path.join(ROOT, "fixtures", "boards", "*.ini")))
if os.environ.get("BROWNOUT_BOARDS"):
    # A subset while debugging: BROWNOUT_BOARDS=lpc55,w25q.
    BOARDS = [b for b in BOARDS
              if os.path.basename(b)[:-4] in os.environ["BROWNOUT_BOARDS"].split(",")]
MODES = {"overwrite-only": "overwrite", "swap-using-scratch": "swap-scratch",
         "swap-using-move": "swap-move", "swap-using-offset": "swap-offset"}


def number(text):
    """A board file number: decimal or 0x hex, with an optional K or M suffix."""
    text = text.strip()
    scale = 1
    if text[-1] in "KM":
        scale = 1024 if text[-1] == "K" else 1 << 20
        text = text[:-1]
    return int(text, 0) * scale


def read_board(path):
    """The sections of a board file (docs/boards.md) and the modes its header claims."""
    sections = {}
    modes = []
    cur = None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("; Modes:"):
                claims = [m.strip(" .") for m in line[8:].replace(";", ",").split(",")]
                modes = [MODES.get(m, m) for m in claims if m in MODES or m == "multi-image"]
            if not line or line[0] in ";#":
                continue
            if line.startswith("["):
                cur = sections.setdefault(line.strip("[]"), {})
                continue
            key, _, value = line.partition("=")
            cur[key.strip()] = value.split(" ;")[0].strip()
    return sections, modes


def board_facts(path):
    """Slot size, largest write unit, erased value and max-sectors of a board."""
    sections, modes = read_board(path)
    flashes = {k.split(" ", 1)[1]: v for k, v in sections.items() if k.startswith("flash ")}
    first = next(iter(flashes))
    write_unit = 1
    for name in ("image-0-primary", "image-0-secondary", "scratch", "image-1-primary",
                 "image-1-secondary"):
        part = sections.get("partition " + name)
        if part is not None:
            dev = flashes[part.get("device", first)]
            write_unit = max(write_unit, int(dev["write-unit"]))
    primary = sections["partition image-0-primary"]
    return {
        "slot": number(primary["size"]),
        "align": write_unit,
        "erased": flashes[primary.get("device", first)].get("erased-value", "0xff"),
        "max_sectors": sections["board"].get("max-sectors", "128"),
        "modes": modes,
    }


def sign(workdir, name, version, facts, *opts):
    payload = os.path.join(workdir, name + ".payload")
    with open(payload, "wb") as f:
        f.write(random.Random(name).randbytes(6000))
    out = os.path.join(workdir, name + ".bin")
    erased = "0" if int(facts["erased"], 0) == 0 else "0xff"
    subprocess.run([os.path.join(BIN, "brownout"), "image", "sign", "-k", KEY, "-v", version,
                    "--pad-header", "-H", "0x200", "--align", str(facts["align"]),
                    "-M", facts["max_sectors"], "-R", erased, *opts, payload, out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


class TestEveryBoardConfirms(DaemonTest):
    def test_boards_found(self):
        if not os.environ.get("BROWNOUT_BOARDS"):
            self.assertGreaterEqual(len(BOARDS), 11)

    def swap_confirm(self, board):
        facts = board_facts(board)
        v1 = sign(self.workdir, "v1", "1.0.0", facts)
        v2 = sign(self.workdir, "v2", "2.0.0", facts, "-S", hex(facts["slot"]), "--test")
        d = self.start(device_args=["--board", board, "--key", PUB, "--flash-in-ram",
                                    "--mode", "swap-scratch", "--image", "primary=" + v1])
        c = self.subscribed(d)
        st = self.wait_running(c)
        self.assertEqual(st["last-boot"]["version"], "1.0.0+0")
        c.ok("image-load", device="dev0", slot="secondary", path=v2)
        r = d.cli("reset", "dev0")
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = c.wait_event("BOOT_DONE", "dev0")
        self.assertEqual((ev["version"], ev["swap-type"]), ("2.0.0+0", "test"))
        # A test swap leaves the primary's magic good and image_ok unset: the next reset would
        # revert (MCUboot's BOOT_SWAP_TYPE_REVERT), never panic.
        self.assertEqual(ev["state"], {"primary-magic-good": True, "confirmed": False,
                                       "pending": False, "next-swap": "revert"})
        r = d.cli("confirm", "dev0")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = d.cli("reset", "dev0")
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = c.wait_event("BOOT_DONE", "dev0")
        self.assertEqual((ev["version"], ev["swap-type"]), ("2.0.0+0", "none"))
        self.assertEqual(ev["state"], {"primary-magic-good": True, "confirmed": True,
                                       "pending": False, "next-swap": "none"})
        self.assertEqual(d.stop(), 0)

    def test_every_board(self):
        for board in BOARDS:
            with self.subTest(board=os.path.basename(board)):
                try:
                    self.swap_confirm(board)
                finally:
                    for d in self.daemons:
                        d.cleanup()
                    self.daemons = []
                    for name in os.listdir(self.workdir):
                        if name != "brownoutd.log":
                            os.unlink(os.path.join(self.workdir, name))
                print("board %s: boot, test swap, confirm, reset: ok"
                      % os.path.basename(board)[:-4], file=sys.stderr)

    def test_erased_primary_is_no_image(self):
        for name in ("nrf52840", "nrf52840-erased0"):
            board = os.path.join(ROOT, "fixtures", "boards", name + ".ini")
            d = self.start(device_args=["--board", board, "--key", PUB, "--flash-in-ram"])
            c = d.client()
            deadline = time.time() + 20
            while True:
                boot = c.ok("query-status", device="dev0").get("last-boot") or {}
                if "error" in boot or time.time() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(boot.get("error"), "no image: the primary slot is erased", boot)
            r = d.cli("image", "info", "dev0", "primary")
            self.assertIn(b"erased (no image)", r.stdout + r.stderr)
            d.cleanup()
            self.daemons = []

    def test_sighup_refuses_a_mode_the_board_cannot_run(self):
        board = os.path.join(self.workdir, "noscr.ini")
        with open(board, "w") as f:
            f.write(NO_SCRATCH)
        conf = os.path.join(self.workdir, "d.ini")
        with open(conf, "w") as f:
            f.write("[device dev0]\nboard = noscr.ini\nflash-in-ram = true\nmode = swap-move\n")
        d = self.start(device_args=["-c", conf])
        c = d.client()
        with open(conf, "w") as f:
            f.write("[device dev0]\nboard = noscr.ini\nflash-in-ram = true\n"
                    "mode = swap-scratch\n")
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 20
        while "configuration not reloaded" not in d.log_text() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn("configuration not reloaded: " + conf + ":1: device 'dev0': " + board +
                      ":1: swap-scratch needs a [partition scratch]", d.log_text())
        self.assertEqual(c.ok("query-status", device="dev0")["mode"], "swap-move")

class TestEveryBoardSweepsItsModes(unittest.TestCase):
    @staticmethod
    def sweep(name, mode):
        # A multi-image claim is swept with two images in swap-using-scratch.
        scenario = "multi-image" if mode == "multi-image" else "test-revert"
        mode = "swap-scratch" if mode == "multi-image" else mode
        r = subprocess.run(
            [os.path.join(BIN, "brownout"), "sweep", "--board", name, "--mode", mode,
             "--scenario", scenario, "--faults", "before,torn-prefix", "--prefix-max", "1",
             "--depth", "1", "--image-size", "1024", "--root", ROOT, "--json",
             "--no-snapshots"], capture_output=True, timeout=600)
        return "%s %s %s" % (name, mode, scenario), r

    def test_depth1_sweep_of_every_claimed_mode(self):
        jobs = []
        for board in BOARDS:
            name = os.path.basename(board)[:-4]
            modes = board_facts(board)["modes"]
            self.assertTrue(modes, "%s claims no mode" % name)
            jobs += [(name, mode) for mode in modes]
        # Two at a time: make check's machine has two cores.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda job: self.sweep(*job), jobs))
        for what, r in results:
            with self.subTest(cell=what):
                self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr)
                res = json.loads(r.stdout)
                self.assertGreater(res["points"], 0)
                self.assertEqual(res["failures"], 0)
        covered = {}
        for name, mode in jobs:
            covered.setdefault(name, []).append(mode)
        failed = [what for what, r in results if r.returncode != 0]
        print("swept at depth 1: " + "; ".join(
            "%s (%s)" % (name, ", ".join(modes)) for name, modes in covered.items()) +
            ("; failed: " + ", ".join(failed) if failed else "; 0 failures"), file=sys.stderr)
        self.assertEqual(len(covered), len(BOARDS))

def fnv1a(text):
    h = 2166136261
    for ch in text.encode():
        h = ((h ^ ch) * 16777619) & 0xffffffff
    return h


class TestSweepMaxSectors(unittest.TestCase):
    def test_option_is_in_the_replay_id(self):
        brownout = os.path.join(BIN, "brownout")
        r = subprocess.run([brownout, "sweep", "--board", "k64f", "--root", ROOT, "--mode",
                            "swap-move", "--scenario", "perm", "--faults", "before", "--random",
                            "2", "--max-sectors", "200", "--image-size", "1024", "--json"],
                           capture_output=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = [p["replay"] for p in json.loads(r.stdout)["results"]]
        self.assertTrue(ids)
        self.assertIn(":1m200:", ids[0])
        r = subprocess.run([brownout, "sweep", "--replay", ids[0], "--root", ROOT],
                           capture_output=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The same ID with too few sectors for k64f's 96: the replay takes the ID's value.
        body = ids[0].rsplit(":", 1)[0].replace(":1m200:", ":1m90:")
        r = subprocess.run([brownout, "sweep", "--replay", "%s:%08x" % (body, fnv1a(body)),
                            "--root", ROOT], capture_output=True, timeout=300)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"more than max-sectors 90", r.stderr)

NO_SCRATCH = """[board]
name = noscr

[flash f]
sectors = 96x4K
write-unit = 4

[partition image-0-primary]
offset = 0x0
size = 0x28000

[partition image-0-secondary]
offset = 0x28000
size = 0x28000
"""


class TestRefusedAtStart(unittest.TestCase):
    """What used to start and then fail at every boot is refused at start, in one line with
    FILE:LINE and the sysexits code: by --check-config, by the daemon itself and by the sweep."""

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="bo-refuse.")

    def tearDown(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def brownoutd(self, *args, check=True):
        cmd = [os.path.join(BIN, "brownoutd"), "--control", os.path.join(self.workdir, "s.sock"),
               "--no-mount", *args] + (["--check-config"] if check else [])
        return subprocess.run(cmd, capture_output=True, timeout=30)

    def refused(self, r, code, *texts):
        err = r.stderr.decode()
        self.assertEqual(r.returncode, code, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        for t in texts:
            self.assertIn(t, err)

    def test_no_scratch_under_swap_scratch(self):
        board = self.write("noscr.ini", NO_SCRATCH)
        conf = self.write("d.ini", "[device dev0]\nboard = noscr.ini\nflash-in-ram = true\n"
                                   "mode = swap-scratch\n")
        for check in (True, False):
            self.refused(self.brownoutd("-c", conf, check=check), 78, conf + ":1: device 'dev0'",
                         board + ":1: swap-scratch needs a [partition scratch]")
        # The same board runs the modes that need no scratch.
        r = self.brownoutd("--board", board, "--flash-in-ram", "--mode", "swap-move")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run([os.path.join(BIN, "brownout"), "sweep", "--board", board, "--mode",
                            "swap-scratch", "--scenario", "perm"], capture_output=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn((board + ":1: swap-scratch needs").encode(), r.stderr)

    def test_more_sectors_than_max_sectors(self):
        stm32l4 = os.path.join(ROOT, "fixtures", "boards", "stm32l4.ini")
        conf = self.write("d.ini", "[device dev0]\nboard = %s\nflash-in-ram = true\n"
                                   "mode = swap-move\nmax-sectors = 100\n" % stm32l4)
        self.refused(self.brownoutd("-c", conf), 78, conf + ":1: device 'dev0'",
                     stm32l4 + ":", "image-0-primary has 224 sectors, more than max-sectors 100")
        r = subprocess.run([os.path.join(BIN, "brownout"), "sweep", "--board", "stm32l4",
                            "--root", ROOT, "--mode", "swap-move", "--scenario", "perm",
                            "--max-sectors", "100"], capture_output=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"more than max-sectors 100", r.stderr)
        bad = self.write("e.ini", "[device dev0]\nboard = %s\nflash-in-ram = true\n"
                                  "max-sectors = 0\n" % stm32l4)
        r = self.brownoutd("-c", bad)
        self.assertEqual(r.returncode, 78)
        self.assertIn((bad + ":4: max-sectors must be 1..4096").encode(), r.stderr)

    def test_mode_the_layout_cannot_run(self):
        mixed = self.write("mixed.ini", "[board]\nname = mixed\n[flash f]\n"
                                        "sectors = 8x16K, 4x64K\nwrite-unit = 8\n"
                                        "[partition image-0-primary]\noffset = 0\n"
                                        "size = 0x30000\n[partition image-0-secondary]\n"
                                        "offset = 0x30000\nsize = 0x30000\n")
        self.refused(self.brownoutd("--board", mixed, "--flash-in-ram", "--mode", "swap-move"),
                     78, mixed + ":1: the board cannot run swap-move (image 0)")

    def test_unreadable_or_bad_key(self):
        board = os.path.join(ROOT, "fixtures", "boards", "nrf52840.ini")
        missing = os.path.join(self.workdir, "nokey.pem")
        for check in (True, False):
            self.refused(self.brownoutd("--board", board, "--flash-in-ram", "--key", missing,
                                        check=check), 66, "key " + missing)
        junk = self.write("junk.pem", "not a key\n")
        conf = self.write("d.ini", "[device dev0]\nboard = %s\nflash-in-ram = true\n"
                                   "key = junk.pem\n" % board)
        self.refused(self.brownoutd("-c", conf), 65, conf + ":1: device 'dev0': key " + junk)

    def test_missing_image_is_66(self):
        board = os.path.join(ROOT, "fixtures", "boards", "nrf52840.ini")
        missing = os.path.join(self.workdir, "missing.bin")
        for check in (True, False):
            self.refused(self.brownoutd("--board", board, "--flash-in-ram", "--image",
                                        "primary=" + missing, check=check),
                         66, "image " + missing)
        r = subprocess.run([os.path.join(BIN, "brownoutd"), "--help"], capture_output=True)
        self.assertIn(b"66 missing", r.stdout)
        self.assertIn(b"65 bad data", r.stdout)


if __name__ == "__main__":
    unittest.main()
