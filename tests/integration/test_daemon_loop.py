#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Integration tests of how brownoutd starts firmware and how busy its loop is (issue 18):
a firmware run is the daemon's child in a session of its own holding only its descriptors, a
run killed from outside is a DEVICE_FAULT and a reset boots it again, and query-status's loop
counters add up.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_daemon_loop.py [-v] [TestCase...]
"""
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_daemon  # noqa: E402  (its Client, Daemon and DaemonTest)
from test_daemon import DaemonTest  # noqa: E402


def proc_stat(pid):
    """(ppid, session id) of a process."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[3])


class TestFirmwareProcess(DaemonTest):
    def test_child_session_descriptors_kill_and_reset(self):
        d = self.start()
        c = self.subscribed(d)
        st = self.wait_running(c)
        pid = st["pid"]
        ppid, sid = proc_stat(pid)
        self.assertEqual(ppid, d.proc.pid)
        self.assertEqual(sid, pid)
        # stdio, the pipe to the daemon (3), the flash (4) and its weak map (5): nothing else.
        fds = sorted(int(x) for x in os.listdir("/proc/%d/fd" % pid))
        self.assertEqual(fds, [0, 1, 2, 3, 4, 5])
        self.assertEqual(os.readlink("/proc/%d/fd/0" % pid), "/dev/null")
        self.assertTrue(os.readlink("/proc/%d/fd/3" % pid).startswith("socket:"))
        os.kill(pid, signal.SIGKILL)
        fault = c.wait_event("DEVICE_FAULT", "dev0")
        self.assertEqual(fault["signal"], signal.SIGKILL)
        self.assertEqual(c.ok("query-status", device="dev0")["state"], "fault")
        # No zombie: the run was reaped.
        self.assertFalse(os.path.exists("/proc/%d" % pid))
        c.ok("reset", device="dev0")
        st = self.wait_running(c, boots=2)
        self.assertNotEqual(st["pid"], pid)
        self.assertEqual(proc_stat(st["pid"])[0], d.proc.pid)
        self.assertEqual(d.stop(), 0)


class TestLoopCounters(DaemonTest):
    def test_counters_add_up(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        before = c.ok("query-status")["loop"]
        for _ in range(20):
            c.ok("query-status", device="dev0")
        after = c.ok("query-status")["loop"]
        self.assertEqual(after["long-ms"], 20)
        # Each request is at least one iteration of its own.
        self.assertGreaterEqual(after["iterations"] - before["iterations"], 20)
        for loop in (before, after):
            self.assertGreater(loop["busy-us"], 0)
            self.assertLessEqual(loop["busy-us"], loop["uptime-us"])
            self.assertLessEqual(loop["max-iteration-us"], loop["busy-us"])
            self.assertLessEqual(loop["long-busy-us"], loop["busy-us"])
            self.assertLessEqual(loop["long-iterations"], loop["iterations"])
            self.assertGreaterEqual(loop["long-busy-us"], 20000 * loop["long-iterations"])
            if loop["long-iterations"] == 0:
                self.assertLess(loop["max-iteration-us"], 20000)
        self.assertGreater(after["busy-us"], before["busy-us"])
        self.assertGreater(after["uptime-us"], before["uptime-us"])
        self.assertEqual(d.stop(), 0)


def setUpModule():
    test_daemon.setUpModule()


def tearDownModule():
    test_daemon.tearDownModule()


if __name__ == "__main__":
    unittest.main()
