# SPDX-License-Identifier: Apache-2.0
"""Tests of brownout.Daemon, the pytest plugin's cleanup, and brownoutd's --ready-fd, --log and
--quiet."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

import brownout
from brownout.daemon import find_program, fuse_available, is_mounted

ROOT = os.environ["BROWNOUT_ROOT"]


def alive(pid):
    """True when pid runs (a zombie counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_ready_log_and_quiet(images):
    with brownout.Daemon(images={"primary": images["v1"]}) as d:
        # Ready means the socket listens: a connection needs no retry.
        c = d.client()
        d.device().power_on()
        c.execute("query-devices")
        d.stop()
        log = d.log_text()
        assert "control socket " + d.socket in log and "stopped" in log
        assert "event BOOT_DONE" not in log  # --quiet
        assert not os.path.exists(d.socket)
    assert not os.path.exists(d.workdir)


def test_output_is_drained(images):
    """Events go to the log file, not to a pipe someone must read: 150 cycles of a chatty
    daemon (no --quiet) do not block it (a pipe used to fill after about 130)."""
    with brownout.Daemon(images={"primary": images["v1"]}, quiet=False) as d:
        dev = d.device()
        dev.power_on()
        for _ in range(150):
            dev.reset()
        assert dev.status()["boots"] == 151
        assert d.log_text(tail=10 ** 8).count("brownoutd: event BOOT_DONE") == 151


def test_start_failure_says_why(tmp_path):
    devices = {"dev0": {"board": str(tmp_path / "missing.ini")}}
    with pytest.raises(brownout.DaemonError) as info:
        brownout.Daemon(devices=devices, workdir=str(tmp_path))
    assert "exited with 78" in str(info.value) and "has no flash file" in str(info.value)
    assert not os.path.exists(tmp_path / "brownout.sock")


def run_brownoutd(*args, **kw):
    return subprocess.run([find_program("brownoutd"), "--no-mount", *args],
                          capture_output=True, text=True, timeout=30, **kw)


def test_bad_ready_fd_and_log(tmp_path, images):
    dev = ["--board", os.path.join(ROOT, "fixtures/boards/nrf52840.ini"), "--flash",
           "dev0=" + str(tmp_path / "dev0.bin"), "--control", str(tmp_path / "s")]
    r = run_brownoutd(*dev, "--ready-fd", "99")
    assert r.returncode == 64 and "--ready-fd 99" in r.stderr
    r = run_brownoutd(*dev, "--ready-fd", "x")
    assert r.returncode == 64 and "--ready-fd x" in r.stderr
    r = run_brownoutd(*dev, "--log", str(tmp_path / "no" / "log"))
    assert r.returncode == 73 and "--log" in r.stderr
    assert "--ready-fd N" in run_brownoutd("--help").stdout


FAILING = textwrap.dedent("""
    import json, os
    import pytest

    @pytest.fixture
    def brownoutd_options():
        return {"mount": True}

    def test_fails(brownoutd, device):
        device.power_on()
        st = device.status()
        with open(os.environ["RECORD"], "w") as f:
            json.dump({"workdir": brownoutd.workdir, "pid": brownoutd.pid, "fw": st["pid"],
                       "mount": brownoutd.mount, "socket": brownoutd.socket}, f)
        assert False, "planted failure"
""")


def test_failing_test_leaves_nothing_behind(tmp_path, images):
    """A test that fails with the plugin's fixtures: no daemon, firmware, mount, socket or
    directory is left, and the report shows the daemon's log."""
    test = tmp_path / "test_fails.py"
    test.write_text(FAILING)
    (tmp_path / "conftest.py").write_text(
        'import pytest\npytest_plugins = ["brownout.pytest_plugin"]\n'
        '@pytest.fixture\ndef brownoutd_images():\n    return {"primary": %r}\n' % images["v1"])
    record = tmp_path / "record.json"
    env = dict(os.environ, RECORD=str(record),
               PYTHONPATH=os.path.join(ROOT, "python") + os.pathsep +
               os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        str(test)], capture_output=True, text=True, timeout=120, env=env,
                       cwd=str(tmp_path))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "planted failure" in r.stdout and "brownoutd log" in r.stdout
    rec = json.loads(record.read_text())
    assert not alive(rec["pid"]) and not alive(rec["fw"])
    assert not os.path.exists(rec["socket"]) and not os.path.exists(rec["workdir"])
    if rec["mount"] is not None:
        assert fuse_available() and not is_mounted(rec["mount"])
