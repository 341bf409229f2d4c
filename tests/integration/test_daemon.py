#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Integration tests of brownoutd: a real daemon on a temporary directory, driven through its
control socket, the brownout CLI and the FUSE view. Python standard library only.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_daemon.py [-v] [TestCase...]

Every test starts its own daemon and cleans up (processes, mounts, sockets, files) even when it
fails. Tests that need FUSE skip when /dev/fuse cannot be opened.
"""
import base64
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.environ.get("BROWNOUT_ROOT", os.path.join(os.path.dirname(__file__),
                                                                     "..", "..")))
BUILD = os.environ.get("BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
BIN = os.path.join(BUILD, "bin")
BOARD = os.path.join(ROOT, "fixtures", "boards", "nrf52840.ini")
KEY = os.path.join(ROOT, "fixtures", "keys", "ec256.pem")
PUB = os.path.join(ROOT, "fixtures", "keys", "ec256.pub.pem")
SLOT = 0x34000
IMAGES = {}


def fuse_available():
    try:
        fd = os.open("/dev/fuse", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return shutil.which("fusermount3") is not None or os.geteuid() == 0


def sign(workdir, name, version, size, *opts):
    payload = os.path.join(workdir, name + ".payload")
    with open(payload, "wb") as f:
        f.write(random.Random(name).randbytes(size))
    out = os.path.join(workdir, name + ".bin")
    subprocess.run([os.path.join(BIN, "brownout"), "image", "sign", "-k", KEY, "-v", version,
                    "--pad-header", "-H", "0x200", "--align", "4", *opts, payload, out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def setUpModule():
    global IMAGE_DIR
    IMAGE_DIR = tempfile.mkdtemp(prefix="bo-images.")
    IMAGES["v1"] = sign(IMAGE_DIR, "v1", "1.0.0", 30000)
    IMAGES["v2"] = sign(IMAGE_DIR, "v2", "2.0.0", 40000, "-S", hex(SLOT), "--test")
    IMAGES["v2perm"] = sign(IMAGE_DIR, "v2perm", "2.0.0", 40000, "-S", hex(SLOT), "--confirm")


def tearDownModule():
    shutil.rmtree(IMAGE_DIR, ignore_errors=True)


class Client:
    """One control connection: replies by id, events kept in order."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.buf = b""
        self.events = []
        self.next_id = 1
        self.greeting = self.read()

    def close(self):
        self.sock.close()

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_line(self, data):
        self.sock.sendall(data + b"\n")

    def reply(self):
        while True:
            msg = self.read()
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd(self, name, **args):
        req = {"execute": name, "id": self.next_id}
        self.next_id += 1
        if args:
            req["arguments"] = {k.replace("_", "-"): v for k, v in args.items()}
        self.send_line(json.dumps(req).encode())
        msg = self.reply()
        assert msg.get("id") == req["id"], msg
        return msg

    def ok(self, name, **args):
        msg = self.cmd(name, **args)
        if "return" not in msg:
            raise AssertionError("%s failed: %s" % (name, msg))
        return msg["return"]

    def wait_event(self, name, device=None, timeout=20.0, pred=None):
        deadline = time.time() + timeout
        while True:
            for i, ev in enumerate(self.events):
                data = ev.get("data", {})
                if ev["event"] == name and (device is None or data.get("device") == device) \
                        and (pred is None or pred(data)):
                    del self.events[:i + 1]
                    return data
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("no %s event; seen %s" % (name, self.events))
            self.sock.settimeout(left)
            try:
                self.events.append(self.read())
            except socket.timeout:
                pass
            finally:
                self.sock.settimeout(10.0)


class Daemon:
    """A brownoutd process on a temporary directory."""

    def __init__(self, workdir, args, mount=False):
        self.workdir = workdir
        self.sock = os.path.join(workdir, "bo.sock")
        self.mount = os.path.join(workdir, "mnt") if mount else None
        cmd = [os.path.join(BIN, "brownoutd"), "--control", self.sock] + args
        self.clients = []
        if self.mount:
            try:
                os.makedirs(self.mount, exist_ok=True)
            except OSError:
                pass  # A stale mount of a killed daemon: brownoutd clears it.
            cmd += ["--mount", self.mount]
        self.log = open(os.path.join(workdir, "brownoutd.log"), "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        deadline = time.time() + 10
        while True:
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("brownoutd did not start: " + self.log_text())
            try:
                Client(self.sock).close()
                break
            except OSError:
                time.sleep(0.02)

    def log_text(self):
        with open(os.path.join(self.workdir, "brownoutd.log"), "rb") as f:
            return f.read().decode(errors="replace")[-3000:]

    def client(self):
        c = Client(self.sock)
        self.clients.append(c)
        return c

    def cli(self, *args):
        env = dict(os.environ, BROWNOUT_SOCKET=self.sock)
        return subprocess.run([os.path.join(BIN, "brownout"), *args], env=env,
                              capture_output=True, timeout=30)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def cleanup(self):
        for c in self.clients:
            c.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.log.closed:
            self.log.close()
        if self.mount and is_mounted(self.mount):
            subprocess.run(["fusermount3", "-uz", self.mount], capture_output=True)
            if is_mounted(self.mount):
                subprocess.run(["umount", "-l", self.mount], capture_output=True)


def is_mounted(path):
    with open("/proc/self/mounts") as f:
        return any(line.split()[1] == path for line in f)


class DaemonTest(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="bo-daemon.")
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.cleanup()
        log = os.path.join(self.workdir, "brownoutd.log")
        text = ""
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                text = f.read()
        shutil.rmtree(self.workdir, ignore_errors=True)
        # Sanitizer builds (BUILD=build/san): a report in the daemon's log fails the test.
        for bad in ("LeakSanitizer", "runtime error:", "heap-use-after-free",
                    "heap-buffer-overflow", "stack-buffer-overflow", "double-free"):
            self.assertNotIn(bad, text)

    def start(self, *args, mount=False, device_args=None):
        if device_args is None:
            device_args = ["--board", BOARD, "--key", PUB, "--flash",
                           "dev0=" + os.path.join(self.workdir, "dev0.bin"),
                           "--image", "primary=" + IMAGES["v1"]]
        d = Daemon(self.workdir, device_args + list(args), mount=mount)
        self.daemons.append(d)
        return d

    def subscribed(self, d):
        c = d.client()
        c.ok("events", enable=True)
        return c

    def wait_running(self, c, device="dev0", boots=1, timeout=20):
        deadline = time.time() + timeout
        st = None
        while time.time() < deadline:
            msg = c.cmd("query-status", device=device)
            st = msg.get("return")
            if st is None:
                # A device being added (SIGHUP) is not there yet.
                self.assertEqual(msg["error"]["class"], "DeviceNotFound")
                time.sleep(0.05)
                continue
            if st["state"] == "running" and st["boots"] >= boots:
                # Events sent before this reply are history now (the reply follows them).
                c.events.clear()
                return st
            time.sleep(0.05)
        raise AssertionError("%s not running: %s" % (device, st))


class TestLifecycle(DaemonTest):
    def test_boot_stage_swap_confirm_cli(self):
        d = self.start()
        c = self.subscribed(d)
        st = self.wait_running(c)
        self.assertEqual(st["last-boot"]["version"], "1.0.0+0")
        self.assertEqual(c.ok("image-load", device="dev0", slot="secondary",
                              path=IMAGES["v2"])["bytes"], os.path.getsize(IMAGES["v2"]))
        info = c.ok("image-info", device="dev0", slot="secondary")
        self.assertTrue(info["present"])
        r = d.cli("reset", "dev0")
        self.assertEqual(r.returncode, 0, r.stderr)
        ev = c.wait_event("BOOT_DONE", "dev0")
        self.assertEqual(ev["version"], "2.0.0+0")
        self.assertEqual(ev["swap-type"], "test")
        self.assertGreater(ev["boot-time-ns"], 0)
        self.assertEqual(c.ok("confirm", device="dev0")["confirmed"], True)
        c.ok("reset", device="dev0")
        self.assertEqual(c.wait_event("BOOT_DONE", "dev0")["version"], "2.0.0+0")
        r = d.cli("devices", "--json")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(json.loads(r.stdout)[0]["name"], "dev0")
        self.assertEqual(d.cli("power-on", "nodev").returncode, 1)
        # Power off and on with events.
        c.ok("power-off", device="dev0")
        c.wait_event("POWER_OFF", "dev0")
        self.assertEqual(c.cmd("power-off", device="dev0")["error"]["class"], "InvalidState")
        c.ok("power-on", device="dev0")
        c.wait_event("POWER_ON", "dev0")
        c.wait_event("BOOT_DONE", "dev0")
        self.assertEqual(d.stop(), 0)

    def test_flash_commands(self):
        d = self.start("--power-on", "manual")
        c = d.client()
        data = bytes(range(256)) * 4
        c.ok("flash-write", device="dev0", offset=0x1000,
             data=base64.b64encode(data).decode())
        r = c.ok("flash-read", device="dev0", flash="internal", offset=0x1000, length=1024)
        self.assertEqual(base64.b64decode(r["data"]), data)
        with open(os.path.join(self.workdir, "dev0.bin"), "rb") as f:
            f.seek(0x1000)
            self.assertEqual(f.read(1024), data)
        self.assertEqual(c.cmd("flash-erase", device="dev0", offset=0x1001,
                               length=4096)["error"]["class"], "InvalidArgument")
        c.ok("flash-erase", device="dev0", offset=0x1000, length=4096)
        r = c.ok("flash-read", device="dev0", offset=0x1000, length=16)
        self.assertEqual(base64.b64decode(r["data"]), b"\xff" * 16)
        self.assertEqual(c.cmd("flash-read", device="dev0", offset=0xFFFFF,
                               length=2)["error"]["class"], "InvalidArgument")
        self.assertEqual(c.cmd("flash-read", device="dev0", flash="nope", offset=0,
                               length=2)["error"]["class"], "DeviceNotFound")
        q = c.ok("query-flash", device="dev0")
        self.assertEqual(q["flash"][0]["size"], 1 << 20)
        self.assertIn("0-secondary", [s["slot"] for s in q["slots"]])
        self.assertEqual(c.cmd("power-cut", device="dev0")["error"]["class"], "InvalidArgument")
        self.assertEqual(c.cmd("power-cut", device="dev0", now=True, fault="weak")["error"]
                         ["class"], "InvalidArgument")
        self.assertEqual(c.cmd("power-cut", device="dev0", at_op=3, fault="sideways")["error"]
                         ["class"], "InvalidArgument")
        self.assertEqual(c.cmd("reset", device="dev0", bogus=1)["error"]["class"],
                         "InvalidArgument")
        self.assertEqual(c.cmd("confirm", device="dev0")["error"]["class"], "InvalidState")

    def test_check_config_and_errors(self):
        exe = os.path.join(BIN, "brownoutd")
        r = subprocess.run([exe, "-c", os.path.join(ROOT, "fixtures", "demo.ini"), "--flash",
                            "dev0=x.bin", "--check-config"], capture_output=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"[device dev0]", r.stdout)
        bad = os.path.join(self.workdir, "bad.ini")
        with open(bad, "w") as f:
            f.write("[device a]\nboard = x\nmode = nope\n")
        r = subprocess.run([exe, "-c", bad], capture_output=True)
        self.assertEqual(r.returncode, 78)
        self.assertIn((bad + ":3:").encode(), r.stderr)
        r = subprocess.run([exe, "--board", bad, "--flash-in-ram", "--check-config"],
                           capture_output=True)
        self.assertEqual(r.returncode, 78)
        self.assertIn((bad + ":1:").encode(), r.stderr)
        self.assertEqual(subprocess.run([exe, "--nope"], capture_output=True).returncode, 64)
        self.assertEqual(subprocess.run([exe, "--version"], capture_output=True).returncode, 0)


class TestService(DaemonTest):
    def test_sd_notify_ready_and_stopping(self):
        path = os.path.join(self.workdir, "notify.sock")
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ns.bind(path)
        ns.settimeout(10)
        os.environ["NOTIFY_SOCKET"] = path
        try:
            d = self.start("--power-on", "manual")
        finally:
            del os.environ["NOTIFY_SOCKET"]
        try:
            self.assertIn(b"READY=1", ns.recv(4096))
            self.assertEqual(d.stop(), 0)
            self.assertIn(b"STOPPING=1", ns.recv(4096))
        finally:
            ns.close()

    def test_sighup_reload(self):
        ini = os.path.join(self.workdir, "bo.ini")
        base = ("[device dev0]\nboard = %s\nkey = %s\nflash-in-ram = true\nimage = primary=%s\n"
                % (BOARD, PUB, IMAGES["v1"]))
        with open(ini, "w") as f:
            f.write(base)
        d = self.start("-c", ini, device_args=[])
        c = d.client()
        self.wait_running(c)
        with open(ini, "w") as f:
            f.write(base.replace("flash-in-ram = true", "flash-in-ram = true\nmode = swap-move"))
            f.write(base.replace("dev0", "dev1"))
        d.proc.send_signal(signal.SIGHUP)
        st = self.wait_running(c, "dev1")
        self.assertEqual(st["last-boot"]["version"], "1.0.0+0")
        self.assertEqual(c.ok("query-status", device="dev0")["mode"], "swap-move")
        with open(ini, "w") as f:
            f.write("[device dev0]\nmode = nope\n")
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while "configuration not reloaded" not in d.log_text() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn("bo.ini:2: unknown mode", d.log_text())
        self.assertEqual(len(c.ok("query-devices")), 2)
        self.assertEqual(d.stop(), 0)


class TestPowerCuts(DaemonTest):
    def test_cut_at_op_mid_swap_recovers(self):
        d = self.start()
        c = self.subscribed(d)
        self.wait_running(c)
        c.ok("image-load", device="dev0", slot="secondary", path=IMAGES["v2"])
        armed = c.ok("power-cut", device="dev0", at_op=40, fault="torn-bits", seed=3)
        self.assertEqual(armed["at-op"], 40)
        c.ok("reset", device="dev0")
        loss = c.wait_event("POWER_LOSS", "dev0")
        self.assertEqual(loss["op"], 40)
        self.assertEqual(loss["fault"], "torn-bits")
        self.assertEqual(loss["phase"], "boot")
        c.wait_event("POWER_ON", "dev0")
        ev = c.wait_event("BOOT_DONE", "dev0")
        self.assertEqual(ev["version"], "2.0.0+0")
        st = c.ok("query-status", device="dev0")
        self.assertEqual(st["power-losses"], 1)

    def test_cut_now_and_manual_power_on(self):
        d = self.start("--power-on", "manual")
        c = self.subscribed(d)
        self.assertEqual(c.ok("query-status", device="dev0")["state"], "off")
        c.ok("power-on", device="dev0")
        c.wait_event("BOOT_DONE", "dev0")
        c.ok("power-cut", device="dev0", now=True)
        self.assertEqual(c.wait_event("POWER_LOSS", "dev0")["fault"], "now")
        time.sleep(0.2)
        self.assertEqual(c.ok("query-status", device="dev0")["state"], "off")

    def test_sigkill_daemon_mid_upgrade_then_restart(self):
        flash = os.path.join(self.workdir, "dev0.bin")
        d = self.start("--power-on", "manual")
        c = self.subscribed(d)
        c.ok("power-on", device="dev0")
        c.wait_event("BOOT_DONE", "dev0")
        c.ok("image-load", device="dev0", slot="secondary", path=IMAGES["v2perm"])
        c.ok("power-cut", device="dev0", at_op=70, fault="after")
        c.ok("reset", device="dev0")
        c.wait_event("POWER_LOSS", "dev0")
        half = [c.ok("flash-read", device="dev0", offset=o, length=0x80000)["data"]
                for o in (0, 0x80000)]
        snapshot = b"".join(base64.b64decode(h) for h in half)
        d.stop(signal.SIGKILL)
        with open(flash, "rb") as f:
            self.assertEqual(f.read(), snapshot)
        # Restart on the same file: no image is rewritten, the swap resumes.
        d2 = self.start()
        c2 = d2.client()
        st = self.wait_running(c2)
        self.assertEqual(st["last-boot"]["version"], "2.0.0+0")
        # And a daemon killed at a random moment of a swap leaves a device that boots v2.
        c2.ok("image-load", device="dev0", slot="secondary", path=IMAGES["v2perm"])
        c2.ok("reset", device="dev0")
        time.sleep(random.Random(5).uniform(0.0, 0.05))
        d2.stop(signal.SIGKILL)
        d3 = self.start()
        st = self.wait_running(d3.client())
        self.assertEqual(st["last-boot"]["version"], "2.0.0+0")


class TestIsolation(DaemonTest):
    def test_firmware_crash_leaves_daemon_and_others(self):
        args = ["--device", "dev0", "--board", BOARD, "--key", PUB, "--flash-in-ram",
                "--image", "primary=" + IMAGES["v1"], "--device", "dev1"]
        d = self.start(device_args=args)
        c = self.subscribed(d)
        self.wait_running(c, "dev0")
        self.wait_running(c, "dev1")
        c.ok("inject-crash", device="dev0")
        fault = c.wait_event("DEVICE_FAULT", "dev0")
        self.assertEqual(fault["signal"], signal.SIGABRT)
        self.assertEqual(c.ok("query-status", device="dev0")["state"], "fault")
        self.assertEqual(c.ok("query-status", device="dev1")["state"], "running")
        # A crash from outside (SIGSEGV) is a fault too.
        pid = c.ok("query-status", device="dev1")["pid"]
        os.kill(pid, signal.SIGSEGV)
        fault = c.wait_event("DEVICE_FAULT", "dev1")
        # Under AddressSanitizer the runner reports the SEGV and exits 1 instead.
        self.assertTrue(fault["signal"] == signal.SIGSEGV or fault["exit-status"] != 0, fault)
        c.ok("reset", device="dev0")
        c.wait_event("BOOT_DONE", "dev0")
        self.assertEqual(d.client().ok("query-devices")[0]["state"], "running")

    def test_malformed_lines_then_new_client(self):
        d = self.start("--power-on", "manual")
        c = d.client()
        rng = random.Random(1234)
        bad = [b"{", b"[]", b"42", b"\"x\"", b"{\"execute\": 5}", b"{\"execute\": \"nope\"}",
               b"{\"execute\": \"reset\", \"arguments\": {\"device\": 1}}",
               b"{\"execute\": \"reset\", \"arguments\": {\"device\": \"dev0\", \"x\": 1}}",
               b"{\"execute\": \"flash-read\", \"arguments\": {\"device\": \"dev0\"}}",
               b"{\"execute\": \"power-cut\", \"arguments\": {\"device\": \"nope\", "
               b"\"now\": true}}",
               b"{\"execute\": \"flash-write\", \"arguments\": {\"device\": \"dev0\", "
               b"\"offset\": 0, \"data\": \"!!notbase64\"}}",
               b"{\"execute\": \"query-status\", \"arguments\": []}",
               b"\xff\xfe\x00garbage", b"null"]
        for i in range(10000):
            if i % 3 == 0:
                line = bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 60)))
                line = b"#" + line.replace(b"\n", b" ")
            else:
                line = bad[i % len(bad)]
            c.send_line(line)
            msg = c.reply()
            self.assertIn("error", msg, (line, msg))
        # A line over 1 MiB: an error, then the daemon closes the connection (possibly while
        # the rest of the line is still being sent).
        try:
            c.send_line(b"{\"a\": \"" + b"x" * ((1 << 20) + 16) + b"\"}")
        except (BrokenPipeError, ConnectionResetError):
            pass
        with self.assertRaises((EOFError, ConnectionError)):
            while True:
                msg = c.reply()
                self.assertEqual(msg["error"]["class"], "ParseError")
        c2 = d.client()
        self.assertEqual(c2.ok("query-devices")[0]["name"], "dev0")

    def test_clients_gone_before_their_replies(self):
        # brownoutd's main() ignores SIGPIPE: a reply to a closed client is an EPIPE.
        d = self.start("--power-on", "manual")
        req = {"execute": "flash-read", "arguments": {"device": "dev0", "offset": 0,
                                                      "length": 4096}}
        for i in range(50):
            c = Client(d.sock)
            c.send_line(json.dumps(dict(req, id=i)).encode())
            c.close()
        self.assertEqual(d.client().ok("query-devices")[0]["name"], "dev0")
        self.assertIsNone(d.proc.poll())

    def test_64_concurrent_clients(self):
        d = self.start("--power-on", "manual")
        clients = [d.client() for _ in range(64)]
        self.assertEqual(d.client().ok("query-status")["devices"][0]["state"], "off")
        for i, c in enumerate(clients):
            c.send_line(json.dumps({"execute": "query-status", "id": i}).encode())
        for i, c in enumerate(clients):
            msg = c.reply()
            self.assertEqual(msg["id"], i)
            self.assertEqual(msg["return"]["devices"][0]["name"], "dev0")


@unittest.skipUnless(fuse_available(), "FUSE (/dev/fuse) is not available here")
class TestFuse(DaemonTest):
    def test_stage_through_fuse_and_swap(self):
        d = self.start(mount=True)
        c = self.subscribed(d)
        self.wait_running(c)
        slot = os.path.join(d.mount, "dev0", "slots", "0-secondary.bin")
        shutil.copyfile(IMAGES["v2"], slot)
        with open(os.path.join(d.mount, "dev0", "status.json")) as f:
            self.assertEqual(json.load(f)["name"], "dev0")
        with open(slot, "rb") as f, open(IMAGES["v2"], "rb") as g:
            self.assertEqual(f.read(4096), g.read(4096))
        c.ok("reset", device="dev0")
        ev = c.wait_event("BOOT_DONE", "dev0")
        self.assertEqual(ev["version"], "2.0.0+0")
        self.assertEqual(ev["swap-type"], "test")

    def test_sigterm_leaves_no_mount(self):
        d = self.start(mount=True)
        c = d.client()
        self.wait_running(c)
        self.assertTrue(is_mounted(d.mount))
        self.assertEqual(d.stop(signal.SIGTERM), 0)
        msg = c.read()
        self.assertEqual(msg["event"], "SHUTDOWN")
        self.assertFalse(is_mounted(d.mount))
        self.assertFalse(os.path.exists(d.sock))

    def test_stale_mount_cleared_at_start(self):
        d = self.start(mount=True)
        self.wait_running(d.client())
        d.stop(signal.SIGKILL)
        d2 = self.start(mount=True)
        self.wait_running(d2.client())
        self.assertTrue(os.path.exists(os.path.join(d2.mount, "dev0", "status.json")))
        self.assertEqual(d2.stop(), 0)
        self.assertFalse(is_mounted(d2.mount))


if __name__ == "__main__":
    for p in ("brownoutd", "brownout", "brownout-fw"):
        if not os.access(os.path.join(BIN, p), os.X_OK):
            print("test_daemon: %s/%s is missing; build first" % (BIN, p), file=sys.stderr)
            sys.exit(1)
    unittest.main(verbosity=2)
