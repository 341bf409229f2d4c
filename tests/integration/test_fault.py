#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Integration tests of brownoutd's fault-inject command and `brownout fault-inject`: non-cut
flash faults (errors, drop, bitflip, wearout) in a region of a device's flash, kept by the
daemon for the device's next runs and met by host writes (image-load, flash-write).
Python standard library only.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_fault.py [-v] [TestCase...]

It reuses test_daemon.py's daemon and client helpers.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_daemon as td  # noqa: E402


def setUpModule():
    td.setUpModule()


def tearDownModule():
    td.tearDownModule()


class FaultTest(td.DaemonTest):
    def secondary(self, c):
        slots = c.ok("query-flash", device="dev0")["slots"]
        s = [s for s in slots if s["slot"] == "0-secondary"][0]
        return s["offset"], s["size"]

    def test_drop_in_secondary_keeps_old_image_until_clear(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        off, size = self.secondary(c)
        # A drop fault in the secondary, from the CLI: every fourth page of a write is lost.
        r = d.cli("fault-inject", "dev0", "--kind", "drop", "--offset", hex(off), "--size",
                  str(size), "--rate", "1/4", "--seed", "9", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["applies"], "next-run")
        self.assertEqual(out["flash-faults"], [{"flash": "internal", "kind": "drop",
                                                "offset": off, "size": size, "rate": 4,
                                                "seed": 9}])
        st = c.ok("query-status", device="dev0")
        self.assertEqual(st["flash-faults"], out["flash-faults"])
        # Staging meets the fault: the image lands torn and the bootloader rejects it.
        c.ok("image-load", device="dev0", slot="secondary", path=td.IMAGES["v2perm"])
        c.ok("reset", device="dev0")
        ev = c.wait_event("BOOT_DONE", "dev0")
        self.assertEqual(ev["version"], "1.0.0+0")
        c.ok("reset", device="dev0")
        self.assertEqual(c.wait_event("BOOT_DONE", "dev0")["version"], "1.0.0+0")
        # Clearing restores the flash: the same staging upgrades.
        r = d.cli("fault-inject", "dev0", "--clear")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.ok("query-status", device="dev0")["flash-faults"], [])
        c.ok("image-load", device="dev0", slot="secondary", path=td.IMAGES["v2perm"])
        c.ok("reset", device="dev0")
        self.assertEqual(c.wait_event("BOOT_DONE", "dev0")["version"], "2.0.0+0")

    def test_errors_fail_host_writes_and_next_runs(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        off, size = self.secondary(c)
        c.ok("fault-inject", device="dev0", kind="errors", offset=off, size=size)
        err = c.cmd("image-load", device="dev0", slot="secondary", path=td.IMAGES["v2perm"])
        self.assertIn("error", err)
        # The next run gets the fault too (its argument line), and still boots v1.
        c.ok("reset", device="dev0")
        self.assertEqual(c.wait_event("BOOT_DONE", "dev0")["version"], "1.0.0+0")
        c.ok("fault-inject", device="dev0", clear=True, kind="errors")
        c.ok("image-load", device="dev0", slot="secondary", path=td.IMAGES["v2perm"])
        c.ok("reset", device="dev0")
        self.assertEqual(c.wait_event("BOOT_DONE", "dev0")["version"], "2.0.0+0")

    def test_bitflip_in_primary_reaches_the_next_run(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        slots = c.ok("query-flash", device="dev0")["slots"]
        p = [s for s in slots if s["slot"] == "0-primary"][0]
        # Every read of the primary gets a flipped bit: the running firmware is untouched, the
        # next run cannot validate its image.
        c.ok("fault-inject", device="dev0", kind="bitflip", offset=p["offset"], size=p["size"])
        self.assertEqual(c.ok("query-status", device="dev0")["state"], "running")
        c.ok("reset", device="dev0")
        self.assertIn("error", c.wait_event("BOOT_FAILED", "dev0"))
        c.ok("fault-inject", device="dev0", clear=True)
        c.ok("reset", device="dev0")
        self.assertEqual(c.wait_event("BOOT_DONE", "dev0")["version"], "1.0.0+0")

    def test_refusals_change_nothing(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        bad = [
            dict(kind="drop", rate=0),
            dict(kind="smoke"),
            dict(kind="drop", offset=-1),
            dict(kind="drop", offset=0x100000),
            dict(kind="drop", offset=0xff000, size=0x2000),
            dict(kind="drop", erases=2),
            dict(kind="wearout", rate=3),
            dict(kind="drop", flash="nosuch"),
            dict(kind="drop", colour="red"),
            dict(clear=True, offset=0),
            dict(offset=0),
            dict(kind="drop", seed="x"),
        ]
        for args in bad:
            msg = c.cmd("fault-inject", device="dev0", **args)
            self.assertIn("error", msg, args)
            self.assertEqual(c.ok("query-status", device="dev0")["flash-faults"], [], args)
        self.assertEqual(c.cmd("fault-inject", device="nodev", kind="drop")["error"]["class"],
                         "DeviceNotFound")
        r = d.cli("fault-inject", "dev0", "--kind", "drop", "--rate", "3")
        self.assertEqual(r.returncode, 64)
        r = d.cli("fault-inject", "dev0", "--kind", "smoke")
        self.assertEqual(r.returncode, 1)
        self.assertIn("fault-inject", d.cli("fault-inject", "--help").stdout.decode())


if __name__ == "__main__":
    unittest.main()
