#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Integration tests of a fleet in one brownoutd: no fixed device count (issue 18), and a
configuration the process's limits cannot hold refused at start in one line, never half-way.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_fleet.py [-v] [TestCase...]
"""
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_daemon  # noqa: E402  (its Client, Daemon and DaemonTest)
from test_daemon import BIN, PUB, DaemonTest  # noqa: E402

# A small board: 96 KiB of NOR in 4 KiB sectors, so 200 devices cost little memory.
TINY_BOARD = """[board]
name = tiny
description = 96 KiB of NOR flash for fleet tests

[flash internal]
sectors = 24x4K
write-unit = 4
erased-value = 0xff
semantics = nor

[partition bootloader]
offset = 0x0
size = 0x4000

[partition image-0-primary]
offset = 0x4000
size = 0x8000

[partition image-0-secondary]
offset = 0xC000
size = 0x8000

[partition scratch]
offset = 0x14000
size = 0x4000
"""

FLEET = 200


def fleet_ini(workdir, count, power_on="manual"):
    board = os.path.join(workdir, "tiny.ini")
    with open(board, "w") as f:
        f.write(TINY_BOARD)
    image = test_daemon.sign(workdir, "tiny-v1", "1.0.0", 4000)
    ini = os.path.join(workdir, "fleet.ini")
    with open(ini, "w") as f:
        for i in range(count):
            f.write("[device d%03d]\nboard = %s\nkey = %s\nflash-in-ram = true\n"
                    "image = primary=%s\npower-on = %s\n\n" % (i, board, PUB, image, power_on))
    return ini


def run_limited(limits, *args):
    """brownoutd under prlimit(1) with the given limits, to its exit."""
    return subprocess.run(["prlimit", *limits, "--", os.path.join(BIN, "brownoutd"), *args],
                          capture_output=True, timeout=120)


class LimitedDaemon(test_daemon.Daemon):
    """A Daemon started under prlimit(1)."""

    def __init__(self, workdir, args, limits):
        self.workdir = workdir
        self.sock = os.path.join(workdir, "bo.sock")
        self.mount = None
        self.clients = []
        self.log = open(os.path.join(workdir, "brownoutd.log"), "ab")
        self.proc = subprocess.Popen(["prlimit", *limits, "--", os.path.join(BIN, "brownoutd"),
                                      "--control", self.sock, *args],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while True:
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("brownoutd did not start: " + self.log_text())
            try:
                test_daemon.Client(self.sock).close()
                break
            except OSError:
                time.sleep(0.05)


class TestFleet(DaemonTest):
    def test_200_devices_boot_and_list(self):
        ini = fleet_ini(self.workdir, FLEET)
        # Too few descriptors at the soft limit, enough at the hard one: the daemon raises it.
        d = LimitedDaemon(self.workdir, ["-c", ini, "--quiet"], ["--nofile=256:4096"])
        self.daemons.append(d)
        c = self.subscribed(d)
        names = ["d%03d" % i for i in range(FLEET)]
        for name in names:
            c.ok("power-on", device=name)
        booted = set()
        while len(booted) < FLEET:
            data = c.wait_event("BOOT_DONE", timeout=60)
            booted.add(data["device"])
        self.assertEqual(booted, set(names))
        listed = c.ok("query-devices")
        self.assertEqual(sorted(dev["name"] for dev in listed), names)
        self.assertEqual(c.ok("query-status", device="d199")["state"], "running")
        self.assertEqual(d.stop(), 0)

    def test_nofile_limit_too_low_is_refused(self):
        ini = fleet_ini(self.workdir, FLEET)
        sock = os.path.join(self.workdir, "bo.sock")
        r = run_limited(["--nofile=128:128"], "-c", ini, "--control", sock)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, 69, err)
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertRegex(lines[0], r"^brownoutd: 200 devices need \d+ open files, but "
                                   r"RLIMIT_NOFILE is 128 \(hard 128\); raise it: ulimit -n \d+")
        self.assertIn("prlimit --nofile=", lines[0])
        # Refused before anything started: no socket, no firmware process.
        self.assertFalse(os.path.exists(sock))
        # --check-config says the same.
        r = run_limited(["--nofile=128:128"], "-c", ini, "--check-config")
        self.assertEqual(r.returncode, 69)
        self.assertIn("RLIMIT_NOFILE is 128", r.stderr.decode())

    def test_nofile_within_hard_limit_is_raised(self):
        ini = fleet_ini(self.workdir, FLEET)
        r = run_limited(["--nofile=128:4096"], "-c", ini, "--check-config")
        self.assertEqual(r.returncode, 0, r.stderr.decode())

    @unittest.skipIf(os.geteuid() == 0 and shutil.which("setpriv") is None,
                     "root is not held to RLIMIT_NPROC, and setpriv(1) is not there")
    def test_nproc_limit_too_low_is_refused(self):
        # Root is not held to RLIMIT_NPROC: the check runs as nobody, on files nobody reads.
        os.chmod(self.workdir, 0o755)
        board = os.path.join(self.workdir, "tiny.ini")
        ini = os.path.join(self.workdir, "nproc.ini")
        with open(board, "w") as f:
            f.write(TINY_BOARD)
        with open(ini, "w") as f:
            for i in range(20):
                f.write("[device d%02d]\nboard = %s\nflash-in-ram = true\n" % (i, board))
        prefix = []
        if os.geteuid() == 0:
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            brownoutd = os.path.join(BIN, "brownoutd")
            if subprocess.run(prefix + ["test", "-x", brownoutd], check=False).returncode != 0:
                self.skipTest("nobody cannot run %s (a checkout under a private directory)"
                              % brownoutd)
        cmd = prefix + ["prlimit", "--nproc=8", "--", os.path.join(BIN, "brownoutd"), "-c", ini,
                        "--check-config"]
        r = subprocess.run(cmd, capture_output=True, timeout=60)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, 69, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertRegex(err, r"^brownoutd: 20 devices need 20 firmware processes, and the user "
                              r"runs \d+ already, but RLIMIT_NPROC is 8; raise it: ulimit -u \d+")


def setUpModule():
    test_daemon.setUpModule()


def tearDownModule():
    test_daemon.tearDownModule()


if __name__ == "__main__":
    unittest.main()
