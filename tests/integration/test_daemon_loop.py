#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Integration tests of how brownoutd starts firmware and how busy its loop is (issue 18):
a firmware run is the daemon's child in a session of its own holding only its descriptors, a
run killed from outside is a DEVICE_FAULT and a reset boots it again, and query-status's loop
counters add up.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_daemon_loop.py [-v] [TestCase...]
"""
import os
import shutil
import signal
import sys
import time
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


def proc_state(pid):
    """A process's state letter, or None when it is gone (reaped)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def wait_for(pred, what, timeout=20):
    """Polls pred until it holds (a deadline for a hang, not a speed assertion)."""
    deadline = time.time() + timeout
    while not pred():
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


class TestSpawner(DaemonTest):
    def spawner(self, c):
        sp = c.ok("query-status")["spawner"]
        self.assertGreater(sp["pid"], 0)
        return sp

    def test_runs_start_cut_and_restart_through_it(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        sp = self.spawner(c)
        with open("/proc/%d/comm" % sp["pid"]) as f:
            self.assertEqual(f.read().strip(), "bo-spawner")
        self.assertEqual(proc_stat(sp["pid"])[0], d.proc.pid)
        self.assertEqual((sp["spawns"], sp["direct"]), (1, 0))
        # A cut (the device powers on again by itself) and a reset: each run started by the
        # spawner, each the daemon's child.
        first = c.ok("query-status", device="dev0")["pid"]
        c.ok("power-cut", device="dev0", now=True)
        c.wait_event("POWER_LOSS", "dev0")
        st = self.wait_running(c, boots=2)
        self.assertNotEqual(st["pid"], first)
        self.assertEqual(proc_stat(st["pid"])[0], d.proc.pid)
        self.assertIsNone(proc_state(first))
        c.ok("reset", device="dev0")
        st = self.wait_running(c, boots=3)
        self.assertEqual(proc_stat(st["pid"])[0], d.proc.pid)
        sp = self.spawner(c)
        self.assertEqual((sp["spawns"], sp["direct"]), (3, 0))
        self.assertEqual(d.stop(), 0)
        # The spawner ended with the daemon, reaped.
        self.assertIsNone(proc_state(sp["pid"]))

    def test_killed_spawner_one_line_then_direct_runs(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        pid = self.spawner(c)["pid"]
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: "the spawner process" in d.log_text(), "the daemon's line")
        lines = [ln for ln in d.log_text().splitlines() if "spawner" in ln]
        self.assertEqual(lines, ["brownoutd: the spawner process (pid %d) was killed by Killed; "
                                 "brownoutd starts firmware runs itself from now on" % pid])
        # Reaped, not a zombie; the daemon answers and still starts runs, itself.
        self.assertIsNone(proc_state(pid))
        c.ok("reset", device="dev0")
        st = self.wait_running(c, boots=2)
        self.assertEqual(proc_stat(st["pid"])[0], d.proc.pid)
        sp = c.ok("query-status")["spawner"]
        self.assertEqual((sp["pid"], sp["spawns"], sp["direct"]), (0, 1, 1))
        self.assertEqual(d.stop(), 0)

    def test_program_gone_is_one_line_and_a_fault(self):
        fw = os.path.join(self.workdir, "fw-copy")
        shutil.copy(os.path.join(test_daemon.BIN, "brownout-fw"), fw)
        d = self.start("--firmware", fw)
        c = self.subscribed(d)
        self.wait_running(c)
        os.unlink(fw)
        c.ok("reset", device="dev0")
        fault = c.wait_event("DEVICE_FAULT", "dev0")
        self.assertEqual(fault["exit-status"], 127)
        lines = [ln for ln in d.log_text().splitlines() if "cannot start" in ln]
        self.assertEqual(lines, ["brownoutd: device dev0: cannot start %s: No such file or "
                                 "directory" % fw])
        self.assertEqual(c.ok("query-status", device="dev0")["state"], "fault")
        self.assertEqual(d.stop(), 0)

    def test_spawner_dies_with_the_daemon(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        pid = self.spawner(c)["pid"]
        d.proc.kill()
        d.proc.wait()
        # Gone, or a zombie of whoever adopted it: not running on.
        wait_for(lambda: proc_state(pid) in (None, "Z"), "the spawner to die")


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
