#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The standing attack suite of brownoutd: a real daemon attacked through its control socket,
its FUSE view, its backing files and its firmware processes (issue 15). Python standard
library only; the daemon is started and driven as in test_daemon.py.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_attack.py [-v] [TestCase...]

The short form (make check) runs in well under a minute. BROWNOUT_SOAK=1 runs the long form
(make soak): more random lines, cycles, kills and forwarded requests; it prints the figures
(lines, clients, cycles, kills, RSS and descriptors before and after) on stderr.
"""
import ctypes
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_daemon  # noqa: E402
from test_daemon import BIN, BOARD, IMAGES, PUB, Client, DaemonTest  # noqa: E402

SOAK = os.environ.get("BROWNOUT_SOAK", "") not in ("", "0")
N_LINES = 100000 if SOAK else 10000
N_CLIENTS = 300
N_CYCLES = 500 if SOAK else 60
N_KILLS = 40 if SOAK else 6
N_RESTARTS = 100
N_FORWARDED = 200000 if SOAK else 5000


def sanitized():
    """Whether the daemon under test is an AddressSanitizer build (freed memory then sits in
    ASan's quarantine, so RSS bounds are looser)."""
    try:
        with open(os.path.join(BIN, "brownoutd"), "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


RSS_SLACK = 8 if sanitized() else 1


def figure(name, value):
    """Prints one figure of the run (the long form's are the README's reliability figures)."""
    print("attack: %s: %s" % (name, value), file=sys.stderr)


def setUpModule():
    test_daemon.setUpModule()
    d = test_daemon.IMAGE_DIR
    IMAGES["v3perm"] = test_daemon.sign(d, "v3perm", "3.0.0", 36000, "-S",
                                        hex(test_daemon.SLOT), "--confirm")


def tearDownModule():
    test_daemon.tearDownModule()


class SafeClient(Client):
    """A Client that closes its socket when the greeting fails too (a daemon killed or refusing
    while the harness polls its socket must not leak descriptors)."""

    def __init__(self, path, timeout=10.0):
        try:
            super().__init__(path, timeout)
        except (OSError, EOFError, ValueError):
            if getattr(self, "sock", None) is not None:
                self.sock.close()
            raise


test_daemon.Client = SafeClient


def proc_figures(pid):
    """(descriptors, RSS in KiB) of a process."""
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/status" % pid) as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return fds, rss


def with_env(name, value, fn):
    """Runs fn() with an environment variable set (the daemon inherits it)."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        return fn()
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


class AttackTest(DaemonTest):
    def alive(self, d):
        """The daemon still answers, on a new connection (once clients that left are gone)."""
        deadline = time.time() + 10
        while True:
            self.assertIsNone(d.proc.poll(), d.log_text())
            try:
                c = SafeClient(d.sock)
                try:
                    if "brownout" in c.greeting:
                        self.assertEqual(c.ok("query-devices")[0]["name"], "dev0")
                        return
                finally:
                    c.close()
            except (OSError, EOFError):
                pass
            self.assertLess(time.time(), deadline, "the daemon does not take a new client")
            time.sleep(0.05)

    def firmware_pid(self, c):
        st = self.wait_running(c)
        return st["pid"]


class TestIssue15(AttackTest):
    """One test per item of issue 15; each failed on the daemon before the fix."""

    @unittest.skipUnless(test_daemon.fuse_available(), "FUSE (/dev/fuse) is not available here")
    def test_1_image_load_from_own_mount(self):
        d = self.start(mount=True)
        c = self.subscribed(d)
        self.wait_running(c)
        c.sock.settimeout(15)
        src = os.path.join(d.mount, "dev0", "slots", "0-primary.bin")
        r = c.ok("image-load", device="dev0", slot="secondary", path=src)
        self.assertEqual(r["bytes"], test_daemon.SLOT)
        info = c.ok("image-info", device="dev0", slot="secondary")
        self.assertTrue(info["present"], info)
        self.assertIn("1.0.0", json.dumps(info["image"]))
        self.assertEqual(d.stop(signal.SIGTERM), 0)
        self.assertFalse(test_daemon.is_mounted(d.mount))

    def test_2_image_load_refuses_special_files(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        c.ok("image-load", device="dev0", slot="secondary", path=IMAGES["v2"])
        fifo = os.path.join(self.workdir, "fifo")
        os.mkfifo(fifo)
        c.sock.settimeout(10)
        for path in (fifo, "/dev/zero", "/proc/self/status", self.workdir,
                     os.path.join(self.workdir, "missing")):
            err = c.cmd("image-load", device="dev0", slot="secondary", path=path)["error"]
            self.assertEqual(err["class"], "InvalidArgument", (path, err))
            self.assertIn(path, err["desc"])
        # Nothing was erased: the staged image is still there.
        self.assertTrue(c.ok("image-info", device="dev0", slot="secondary")["present"])
        self.alive(d)

    def test_4_second_daemon_on_the_same_flash(self):
        flash = os.path.join(self.workdir, "dev0.bin")
        d = self.start()
        self.wait_running(d.client())
        with open(flash, "rb") as f:
            before = f.read()
        exe = os.path.join(BIN, "brownoutd")
        try:
            r = subprocess.run([exe, "--control", os.path.join(self.workdir, "b.sock"),
                                "--board", BOARD, "--key", PUB, "--flash", "dev0=" + flash,
                                "--flash-erase"], capture_output=True, timeout=15)
        except subprocess.TimeoutExpired:
            self.fail("a second daemon runs on a locked flash file")
        self.assertEqual(r.returncode, 69, r.stderr)
        self.assertIn(b"locked", r.stderr)
        self.assertEqual(len(r.stderr.strip().split(b"\n")), 1, r.stderr)
        with open(flash, "rb") as f:
            self.assertEqual(f.read(), before)
        self.alive(d)

    def test_5_truncated_backing_file(self):
        flash = os.path.join(self.workdir, "dev0.bin")
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        os.truncate(flash, 4096)
        msg = c.cmd("flash-read", device="dev0", offset=0x8000, length=4096)
        self.assertEqual(msg["error"]["class"], "InvalidState", msg)
        fault = c.wait_event("DEVICE_FAULT", "dev0", pred=lambda x: "reason" in x)
        self.assertIn("shrank", fault["reason"])
        st = c.ok("query-status", device="dev0")
        self.assertEqual(st["state"], "fault")
        self.assertEqual(c.cmd("power-on", device="dev0")["error"]["class"], "InvalidState")
        self.alive(d)
        self.assertEqual(d.stop(), 0)

    @unittest.skipUnless(test_daemon.fuse_available(), "FUSE (/dev/fuse) is not available here")
    def test_5_truncated_backing_file_read_through_fuse(self):
        # The FUSE view reads the mapping directly: the SIGBUS guard catches that read.
        flash = os.path.join(self.workdir, "dev0.bin")
        d = self.start("--power-on", "manual", mount=True)
        c = d.client()
        os.truncate(flash, 0)
        with open(os.path.join(d.mount, "dev0", "flash", "internal.bin"), "rb") as f:
            try:
                f.read(8192)
            except OSError:
                pass
        self.assertEqual(c.ok("query-status", device="dev0")["state"], "fault")
        self.alive(d)
        self.assertEqual(d.stop(), 0)

    def test_6_stopped_firmware_times_out(self):
        d = with_env("BROWNOUT_REQUEST_TIMEOUT_MS", "400", self.start)
        c = d.client()
        pid = self.firmware_pid(c)
        fds0, rss0 = proc_figures(d.proc.pid)
        os.kill(pid, signal.SIGSTOP)
        try:
            c.sock.settimeout(10)
            self.assertEqual(c.cmd("confirm", device="dev0")["error"]["class"], "Timeout")
            # A flood of forwarded requests from clients that leave: each gets one reply or
            # is dropped with its client; nothing piles up.
            sent = 0
            classes = {}
            while sent < N_FORWARDED:
                f = SafeClient(d.sock)
                batch = min(1000, N_FORWARDED - sent)
                f.sock.sendall(b"".join(json.dumps({"execute": "confirm", "id": i,
                                                    "arguments": {"device": "dev0"}}).encode()
                                        + b"\n" for i in range(batch)))
                for _ in range(50):
                    cls = f.reply()["error"]["class"]
                    classes[cls] = classes.get(cls, 0) + 1
                f.close()
                sent += batch
            self.assertLessEqual(set(classes), {"GenericError", "InvalidState", "Timeout"})
            # Timed out, or refused at once while the unread requests fill the pipe.
            err = c.cmd("confirm", device="dev0")["error"]
            self.assertIn(err["class"], ("Timeout", "InvalidState"), err)
        finally:
            os.kill(pid, signal.SIGCONT)
        self.assertIn("confirmed", c.ok("confirm", device="dev0"))
        fds1, rss1 = proc_figures(d.proc.pid)
        figure("forwarded requests", "%d (first replies: %s)" % (sent, classes))
        figure("forwarded RSS KiB before/after", "%d/%d" % (rss0, rss1))
        self.assertEqual(fds0, fds1)
        self.assertLess(rss1 - rss0, 32 * 1024 * RSS_SLACK)

    def test_7_restart_while_a_copy_of_the_socket_lives(self):
        # What a firmware child between fork and exec does to a killed daemon, made certain:
        # another process holds copies of the daemon's sockets (pidfd_getfd) when it dies.
        d = self.start("--power-on", "manual")
        libc = ctypes.CDLL(None, use_errno=True)
        pidfd = os.pidfd_open(d.proc.pid)
        copies = []
        try:
            for name in os.listdir("/proc/%d/fd" % d.proc.pid):
                if os.readlink("/proc/%d/fd/%s" % (d.proc.pid, name)).startswith("socket:"):
                    fd = libc.syscall(438, pidfd, int(name), 0)  # pidfd_getfd
                    if fd < 0:
                        self.skipTest("pidfd_getfd: errno %d" % ctypes.get_errno())
                    copies.append(fd)
            d.stop(signal.SIGKILL)
            log = os.path.join(self.workdir, "second.log")
            with open(log, "wb") as out:
                p = subprocess.Popen([os.path.join(BIN, "brownoutd"), "--control", d.sock,
                                      "--power-on", "manual", "--board", BOARD, "--key", PUB,
                                      "--flash-in-ram"], stdout=out, stderr=out)
            try:
                deadline = time.time() + 15
                text = ""
                while p.poll() is None and "control socket" not in text:
                    self.assertLess(time.time(), deadline, "the restarted daemon hangs")
                    time.sleep(0.02)
                    with open(log) as f:
                        text = f.read()
                self.assertIsNone(p.poll(), text)
            finally:
                p.kill()
                p.wait()
        finally:
            for fd in copies:
                os.close(fd)
            os.close(pidfd)

    def test_7_immediate_restarts_after_sigkill(self):
        rng = random.Random(7)
        d = self.start()
        for i in range(N_RESTARTS):
            time.sleep(rng.uniform(0, 0.02))
            d.stop(signal.SIGKILL)
            self.daemons.remove(d)
            d.cleanup()
            d = self.start()
            self.assertIsNone(d.proc.poll())
        figure("immediate restarts after SIGKILL", N_RESTARTS)
        self.wait_running(d.client())


class TestAbuse(AttackTest):
    """Random input, many clients, a slow consumer, cycles and kills."""

    def random_value(self, rng):
        return rng.choice([0, -1, 1 << 40, 2 ** 63, "", "dev0", "x" * rng.randrange(1, 300),
                           True, None, [], {}, {"a": 1}, 3.5, "primary", "secondary",
                           "AAAA", "!!", os.path.join(self.workdir, "dev0.bin"), "/dev/zero"])

    def random_line(self, rng, names, keys):
        kind = rng.randrange(10)
        if kind == 0:
            return bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 80))) \
                .replace(b"\n", b" ")
        if kind == 1:
            return b'{"execute": "' + rng.choice(names).encode()[:rng.randrange(1, 12)]
        req = {"execute": rng.choice(names), "id": rng.choice([1, "x", None, [1], {"k": 2}])}
        if rng.randrange(4):
            req["arguments"] = {rng.choice(keys): self.random_value(rng)
                                for _ in range(rng.randrange(0, 5))}
        if kind == 2:
            req[rng.choice(keys)] = self.random_value(rng)
        return json.dumps(req).encode()

    def test_random_control_lines(self):
        d = self.start("--power-on", "manual")
        c = d.client()
        names = [x["name"] for x in c.ok("query-commands") if x["name"] not in ("quit",)]
        keys = ["device", "slot", "path", "offset", "length", "data", "flash", "now", "at-op",
                "fault", "seed", "units", "permille", "link", "how", "enable", "bogus"]
        rng = random.Random(15)
        fds0, rss0 = proc_figures(d.proc.pid)
        replies = 0
        for i in range(N_LINES):
            c.send_line(self.random_line(rng, names, keys))
            msg = c.reply()
            self.assertTrue("return" in msg or "error" in msg, msg)
            replies += 1
            if i % 500 == 0:
                # A powered-on device makes the forwarded commands reachable too.
                c.cmd("power-on", device="dev0")
        fds1, rss1 = proc_figures(d.proc.pid)
        figure("random control lines", "%d, %d replies; RSS KiB %d/%d, fds %d/%d"
               % (N_LINES, replies, rss0, rss1, fds0, fds1))
        self.alive(d)

    def test_300_concurrent_clients(self):
        d = self.start("--power-on", "manual")
        clients = []
        for _ in range(N_CLIENTS):
            try:
                clients.append(SafeClient(d.sock))
            except (OSError, EOFError):
                break
        served = refused = 0
        for i, c in enumerate(clients):
            try:
                c.send_line(json.dumps({"execute": "query-status", "id": i}).encode())
            except OSError:
                pass
        for i, c in enumerate(clients):
            try:
                msg = c.reply()
            except (EOFError, OSError):
                refused += 1
                continue
            if "error" in msg:
                self.assertIn("too many clients", msg["error"]["desc"])
                refused += 1
            else:
                self.assertEqual(msg["id"], i)
                served += 1
        for c in clients:
            c.close()
        figure("concurrent clients", "%d: %d served, %d refused" % (N_CLIENTS, served, refused))
        self.assertEqual(served + refused, N_CLIENTS)
        self.assertGreaterEqual(served, 256)
        self.alive(d)

    def test_slow_consumer_is_dropped(self):
        d = self.start("--power-on", "manual")
        slow = SafeClient(d.sock)
        slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        req = json.dumps({"execute": "flash-read", "arguments": {"device": "dev0", "offset": 0,
                                                                "length": 512 * 1024}}).encode()
        fast = d.client()
        for i in range(40):
            try:
                slow.send_line(req)
            except OSError:
                break
            self.assertEqual(len(fast.ok("flash-read", device="dev0", offset=0, length=16)
                                 ["data"]), 24)
        # The slow client is dropped (its queue passed the limit); the daemon is fine.
        slow.sock.settimeout(10)
        with self.assertRaises((EOFError, ConnectionError)):
            while True:
                slow.read()
        slow.close()
        self.assertIn("does not read its output", d.log_text())
        self.alive(d)

    def test_reset_and_power_cut_cycles(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        fds0, rss0 = proc_figures(d.proc.pid)
        rng = random.Random(500)
        for i in range(N_CYCLES):
            if i % 2 == 0:
                c.ok("reset", device="dev0")
            else:
                c.ok("power-cut", device="dev0", at_op=rng.randrange(0, 8), fault="before")
                c.ok("reset", device="dev0")
            c.wait_event("BOOT_DONE", "dev0")
        self.wait_running(c)
        fds1, rss1 = proc_figures(d.proc.pid)
        figure("reset/power-cut cycles", "%d; fds %d/%d, RSS KiB %d/%d"
               % (N_CYCLES, fds0, fds1, rss0, rss1))
        self.assertEqual(fds0, fds1)
        self.assertLess(rss1 - rss0, 16 * 1024 * RSS_SLACK)

    def test_sigkill_during_swaps_then_restart(self):
        rng = random.Random(1515)
        d = self.start()
        c = d.client()
        version = self.wait_running(c)["last-boot"]["version"]
        images = [("v2perm", "2.0.0+0"), ("v3perm", "3.0.0+0")]
        for i in range(N_KILLS):
            name, new = images[i % 2]
            c.ok("image-load", device="dev0", slot="secondary", path=IMAGES[name])
            c.ok("reset", device="dev0")
            time.sleep(rng.uniform(0.0, 0.08))
            d.stop(signal.SIGKILL)
            d = self.start()
            c = d.client()
            booted = self.wait_running(c)["last-boot"]["version"]
            self.assertIn(booted, (version, new), "kill %d" % i)
            if booted != new:
                # The swap did not start before the kill: it runs now.
                c.ok("reset", device="dev0")
                booted = self.wait_running(c, boots=2)["last-boot"]["version"]
                self.assertEqual(booted, new, "kill %d" % i)
            version = booted
        figure("SIGKILLs during swaps", N_KILLS)


if __name__ == "__main__":
    for p in ("brownoutd", "brownout", "brownout-fw"):
        if not os.access(os.path.join(BIN, p), os.X_OK):
            print("test_attack: %s/%s is missing; build first" % (BIN, p), file=sys.stderr)
            sys.exit(1)
    unittest.main(verbosity=2)
