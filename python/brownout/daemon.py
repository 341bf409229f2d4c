# SPDX-License-Identifier: Apache-2.0
"""Daemon: a brownoutd on a temporary directory, for tests. Python standard library only.

    from brownout import Daemon

    with Daemon() as d:                      # one device dev0 (fixtures/demo.ini-like)
        dev = d.device("dev0")
        boot = dev.reset()                   # the BOOT_DONE data of the new run
        print(boot["version"], d.cli("status", "dev0").stdout)

The daemon gets a generated INI file, --ready-fd (the start waits for its READY line), --log
(its messages and events go to a file, so nothing can fill a pipe) and a process group of its
own. Leaving the with block (or stop()) always ends the daemon and its firmware processes,
unmounts the FUSE view and removes the directory, also when the block raised.
"""
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time

from .client import Client


def _root():
    return os.environ.get("BROWNOUT_ROOT")


def find_program(name, build=None):
    """The path of a brownout program: $BUILD/bin (relative to $BROWNOUT_ROOT), else PATH."""
    build = build or os.environ.get("BUILD")
    if build:
        if not os.path.isabs(build) and _root():
            build = os.path.join(_root(), build)
        path = os.path.join(build, "bin", name)
        if os.access(path, os.X_OK):
            return path
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError("%s: not in $BUILD/bin nor on PATH (set BUILD or PATH)" % name)
    return path


def fixture(*parts):
    """A file of the repository's fixtures/ ($BROWNOUT_ROOT must name the source tree)."""
    root = _root()
    if root is None:
        raise FileNotFoundError("fixtures: set BROWNOUT_ROOT to the brownout source tree")
    return os.path.join(os.path.abspath(root), "fixtures", *parts)


def default_device():
    """The device of fixtures/demo.ini without its network: nRF52840, swap-scratch, the test
    key, powered on by hand after a power cut (power-on = manual)."""
    return {
        "board": fixture("boards", "nrf52840.ini"),
        "mode": "swap-scratch",
        "key": fixture("keys", "ec256.pub.pem"),
        "validate-primary": "true",
        "power-on": "manual",
    }


def fuse_available():
    """True when this process can mount a FUSE file system."""
    try:
        fd = os.open("/dev/fuse", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return shutil.which("fusermount3") is not None or os.geteuid() == 0


def is_mounted(path):
    """True when path is a mountpoint now."""
    path = os.path.abspath(path)
    with open("/proc/self/mounts") as f:
        return any(line.split()[1] == path for line in f)


def write_config(path, devices, daemon=None):
    """Writes an INI file: a [daemon] section and one [device NAME] section per entry of
    devices (a dict of dicts; a list value repeats its key, e.g. several keys)."""
    lines = ["; Written by brownout.daemon.", "[daemon]"]
    for key, value in (daemon or {}).items():
        lines.append("%s = %s" % (key, value))
    for name, keys in devices.items():
        lines.append("")
        lines.append("[device %s]" % name)
        for key, value in keys.items():
            for v in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(v, bool):
                    v = "true" if v else "false"
                lines.append("%s = %s" % (key, v))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class DaemonError(RuntimeError):
    """brownoutd did not start (the message ends with its log)."""


class Daemon:
    """A brownoutd process on a temporary directory.

    devices: {name: {key: value}} for the INI file (default: dev0 = default_device(), with its
    flash in WORKDIR/dev0.bin and images staged from images); images: {slot: file} written
    into dev0 at start (e.g. {"primary": "v1.bin"}); mount: True for a FUSE view at
    WORKDIR/mnt (skipped, with mounted False, where FUSE is not available), False for none;
    quiet: --quiet; args: more brownoutd options; build: where bin/brownoutd is (default
    $BUILD, else PATH); keep: leave the directory behind (its log included).
    """

    def __init__(self, devices=None, images=None, mount=False, quiet=True, args=(), build=None,
                 workdir=None, ready_timeout=30.0, keep=False, seed=1):
        self._own_dir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="brownout.")
        self.socket = os.path.join(self.workdir, "brownout.sock")
        self.log = os.path.join(self.workdir, "brownoutd.log")
        self.config = os.path.join(self.workdir, "brownoutd.ini")
        self.mount = os.path.join(self.workdir, "mnt") if mount else None
        self.build = build
        self.keep = keep
        self.proc = None
        self.clients = []
        try:
            self._start(devices, images or {}, quiet, list(args), ready_timeout, seed)
        except BaseException:
            self.cleanup()
            raise

    def _command(self, devices, images, quiet, args, seed):
        if devices is None:
            devices = {"dev0": dict(default_device(), flash=os.path.join(self.workdir,
                                                                         "dev0.bin"))}
            devices["dev0"]["flash-erase"] = True
            if images:
                devices["dev0"]["image"] = ["%s=%s" % (slot, os.path.abspath(path))
                                            for slot, path in images.items()]
        write_config(self.config, devices, {"seed": seed})
        cmd = [find_program("brownoutd", self.build), "-c", self.config,
               "--control", self.socket, "--log", self.log]
        if self.mount and fuse_available():
            os.makedirs(self.mount, exist_ok=True)
            cmd += ["--mount", self.mount]
        else:
            self.mount = None
            cmd.append("--no-mount")
        if quiet:
            cmd.append("--quiet")
        return cmd + args

    def _start(self, devices, images, quiet, args, ready_timeout, seed):
        cmd = self._command(devices, images, quiet, args, seed)
        rfd, wfd = os.pipe()
        try:
            with open(self.log, "ab") as log:
                # Output before --log takes effect (usage errors) lands in the log too.
                self.proc = subprocess.Popen(cmd + ["--ready-fd", str(wfd)], pass_fds=(wfd,),
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             start_new_session=True, cwd=self.workdir)
            os.close(wfd)
            wfd = -1
            self._await_ready(rfd, ready_timeout)
        finally:
            os.close(rfd)
            if wfd >= 0:
                os.close(wfd)

    def _await_ready(self, rfd, timeout):
        deadline = time.monotonic() + timeout
        got = b""
        while b"\n" not in got:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DaemonError("brownoutd not ready in %.0f s:\n%s" % (timeout,
                                                                          self.log_text()))
            ready, _, _ = select.select([rfd], [], [], left)
            if ready:
                chunk = os.read(rfd, 64)
                if not chunk:
                    self.proc.wait(5)
                    raise DaemonError("brownoutd exited with %s before it was ready:\n%s" % (
                        self.proc.returncode, self.log_text()))
                got += chunk
        if got != b"READY\n":
            raise DaemonError("brownoutd said %r, not READY" % got)

    # ---- Use. ----

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    @property
    def mounted(self):
        return self.mount is not None and is_mounted(self.mount)

    def log_text(self, tail=4000):
        """The last tail characters of the daemon's log."""
        try:
            with open(self.log, "rb") as f:
                return f.read().decode(errors="replace")[-tail:]
        except OSError:
            return ""

    def client(self, timeout=10.0):
        """A new connection (closed by cleanup())."""
        c = Client(self.socket, timeout)
        self.clients.append(c)
        return c

    def device(self, name="dev0"):
        """A Device helper with a subscribed connection of its own."""
        from .device import Device
        return Device(self.client().subscribe(), name)

    def cli(self, *args, timeout=60, check=False):
        """Runs the brownout CLI against this daemon; returns the CompletedProcess (text)."""
        env = dict(os.environ, BROWNOUT_SOCKET=self.socket)
        return subprocess.run([find_program("brownout", self.build), *args], env=env,
                              capture_output=True, text=True, timeout=timeout, check=check)

    # ---- Stop and clean up. ----

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Stops the daemon (sig, then SIGKILL after timeout); returns its exit status."""
        for c in self.clients:
            c.close()
        self.clients = []
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._kill_group()
        return self.proc.returncode

    def _kill_group(self):
        """Ends whatever is left in the daemon's process group (its firmware runs)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def cleanup(self):
        """Stops the daemon, unmounts, removes the socket and (unless keep) the directory.
        Safe to call twice; never raises for what it cannot find."""
        try:
            self.stop(timeout=5.0)
        finally:
            if self.mount and is_mounted(self.mount):
                subprocess.run(["fusermount3", "-uz", self.mount], capture_output=True)
                if is_mounted(self.mount):
                    subprocess.run(["umount", "-l", self.mount], capture_output=True)
            if os.path.exists(self.socket):
                os.unlink(self.socket)
            if self._own_dir and not self.keep:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False
