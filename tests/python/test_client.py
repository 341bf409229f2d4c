# SPDX-License-Identifier: Apache-2.0
"""Tests of the Python client (python/brownout/client.py) against a real brownoutd."""
import os
import re
import signal
import socket
import threading
import time

import pytest

import brownout
from brownout import Client

ROOT = os.environ["BROWNOUT_ROOT"]


def test_greeting_and_execute(brownoutd):
    c = brownoutd.client()
    assert c.greeting["protocol"] == 1
    assert c.version == c.execute("query-version")["version"]
    assert "events" in c.capabilities
    assert [d["name"] for d in c.execute("query-devices")] == ["dev0"]


def test_replies_are_matched_by_id(brownoutd):
    c = brownoutd.client()
    first = c.send("query-version")
    second = c.send("query-devices")
    # Asked for in the other order: the first reply is kept until its id is asked for.
    assert c.reply(second)["return"][0]["name"] == "dev0"
    assert c.reply(first)["return"]["protocol"] == 1
    assert c.execute("query-status", device="dev0")["name"] == "dev0"


def test_each_error_class_has_an_exception(brownoutd):
    """The exception table covers exactly the error classes of docs/protocol.md."""
    with open(os.path.join(ROOT, "docs", "protocol.md")) as f:
        text = f.read()
    table = text.split("### Error classes", 1)[1].split("###", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)`", table, re.M))
    assert documented and set(brownout.ERROR_CLASSES) == documented
    for name, cls in brownout.ERROR_CLASSES.items():
        assert issubclass(cls, brownout.CommandError) and cls.error_class == name


@pytest.mark.parametrize("call,cls", [
    (lambda c: c.execute("no-such-command"), brownout.CommandNotFoundError),
    (lambda c: c.execute("reset", device="dev0", bogus=1), brownout.InvalidArgumentError),
    (lambda c: c.execute("reset", device="nodev"), brownout.DeviceNotFoundError),
    (lambda c: c.execute("power-off", device="dev0"), brownout.InvalidStateError),
    (lambda c: c.execute("confirm", device="dev0"), brownout.InvalidStateError),
])
def test_error_replies_raise_typed_errors(brownoutd, call, cls):
    c = brownoutd.client()
    with pytest.raises(cls) as info:
        call(c)
    assert info.value.error_class == cls.error_class and info.value.desc
    # The connection stays usable.
    assert c.execute("query-devices")[0]["name"] == "dev0"


def test_raw_lines_map_to_parse_and_request_errors(brownoutd):
    c = brownoutd.client()
    assert isinstance(brownout.client.error_from_reply(c.raw("{")), brownout.ParseError)
    assert isinstance(brownout.client.error_from_reply(c.raw("[1]")),
                      brownout.InvalidRequestError)


def running(c, boots=1):
    """Polls query-status until dev0 has booted boots times. The reply follows, on the same
    connection, every event the daemon sent before it."""
    for _ in range(2000):
        st = c.execute("query-status", device="dev0")
        if st["boots"] >= boots and st["state"] == "running":
            return st
        time.sleep(0.01)
    raise AssertionError("dev0 did not boot: %s" % st)


def test_event_sent_before_wait_for_is_not_lost(brownoutd):
    c = brownoutd.client().subscribe()
    c.execute("power-on", device="dev0")
    running(c)
    # BOOT_DONE came before the status reply: it is in the client's buffer, not on the socket.
    assert [e["event"] for e in c.history(device="dev0")][:1] == ["POWER_ON"]
    assert len(c.history("BOOT_DONE")) == 1
    assert c.wait_for("BOOT_DONE", device="dev0", timeout=5)["version"] == "1.0.0+0"
    # Consumed: the next wait_for looks only at later events.
    with pytest.raises(brownout.WaitTimeout):
        c.wait_for("BOOT_DONE", device="dev0", timeout=0.2)


def test_expect_subscribes_before_acting(brownoutd):
    c = brownoutd.client()
    with c.expect("BOOT_DONE", device="dev0") as boot:
        c.execute("power-on", device="dev0")
    assert boot.data["version"] == "1.0.0+0"
    seen = set()
    for _ in range(30):
        with c.expect("BOOT_DONE", device="dev0") as boot:
            c.execute("reset", device="dev0")
        assert id(boot.event) not in seen
        seen.add(id(boot.event))
    assert c.execute("query-status", device="dev0")["boots"] == 31


def test_wait_for_predicate_and_filter(brownoutd):
    c = brownoutd.client().subscribe(events=["BOOT_DONE"], device="dev0")
    c.execute("power-on", device="dev0")
    data = c.wait_for("BOOT_DONE", predicate=lambda d: d["version"].startswith("1."))
    assert data["swap-type"] == "none"
    # The filter kept no POWER_ON.
    assert {e["event"] for e in c.history()} == {"BOOT_DONE"}
    with pytest.raises(brownout.WaitTimeout):
        c.wait_for("POWER_ON", timeout=0.2, since=0)


def test_shutdown_ends_a_wait(brownoutd):
    c = brownoutd.client().subscribe()
    os.kill(brownoutd.pid, signal.SIGTERM)
    with pytest.raises(brownout.DaemonShutdown):
        c.wait_for("BOOT_DONE", timeout=30)


def test_device_helper(device, images):
    assert device.power_on()["version"] == "1.0.0+0"
    assert device.load_image("secondary", images["v2"])["bytes"] == os.path.getsize(images["v2"])
    boot = device.reset()
    assert (boot["version"], boot["swap-type"]) == ("2.0.0+0", "test")
    assert device.confirm()["confirmed"] is True
    assert device.reset()["version"] == "2.0.0+0"
    assert device.cut_now()["fault"] == "now"


def test_requests_of_the_app_and_of_the_host(device, images):
    assert device.power_on()["version"] == "1.0.0+0"
    device.load_image("secondary", images["v3"])
    assert device.reset()["swap-type"] == "none"  # Unpadded: nothing requested yet.
    assert device.upgrade()["pending"] is True
    assert (device.reset()["version"], device.reset()["version"]) == ("3.0.0+0", "1.0.0+0")
    assert device.mark_pending(permanent=True)["pending"] == "permanent"
    boot = device.reset()
    assert (boot["version"], boot["swap-type"]) == ("3.0.0+0", "perm")
    assert device.mark_confirmed()["confirmed"] is True
    assert device.reset()["version"] == "3.0.0+0"


def test_not_a_daemon(tmp_path):
    with pytest.raises(FileNotFoundError):
        Client(str(tmp_path / "nothing"))
    path = str(tmp_path / "s")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)

    def greet():
        conn, _ = srv.accept()
        conn.sendall(b'{"qemu": {}}\n')
        conn.close()

    t = threading.Thread(target=greet)
    t.start()
    try:
        with pytest.raises(brownout.ProtocolViolation):
            Client(path, timeout=5)
    finally:
        t.join()
        srv.close()
