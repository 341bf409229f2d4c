# SPDX-License-Identifier: Apache-2.0
"""brownout's --wait EVENT[:TIMEOUT]: the CLI subscribes before it sends the command, so no
back-to-back reset misses its BOOT_DONE (README's `wait & reset` lost 2 of 30)."""
import json


def event(r):
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1, r.stdout
    return json.loads(lines[0])


def test_200_resets_each_return_their_boot(brownoutd, device):
    device.power_on()
    for i in range(200):
        ev = event(brownoutd.cli("reset", "dev0", "--wait", "BOOT_DONE:30"))
        assert ev["event"] == "BOOT_DONE" and ev["data"]["device"] == "dev0", i
    # Every reset booted once more, and each CLI call saw its own boot.
    assert device.status()["boots"] == 201


def test_wait_on_power_on_cut_and_load(brownoutd, device, images):
    assert event(brownoutd.cli("power-on", "dev0", "--wait", "BOOT_DONE"))["data"][
        "version"] == "1.0.0+0"
    assert event(brownoutd.cli("reset", "dev0", "--wait", "RESET"))["event"] == "RESET"
    device.client.wait_for("BOOT_DONE", device="dev0")
    ev = event(brownoutd.cli("power-cut", "dev0", "--wait", "POWER_LOSS"))
    assert ev["data"]["fault"] == "now"
    # image-load causes no event: the wait times out (75) after the load was done.
    r = brownoutd.cli("image", "load", "dev0", "secondary", images["v2"], "--wait",
                      "BOOT_DONE:0.2")
    assert r.returncode == 75 and "BOOT_DONE" in r.stderr
    assert device.image_info("secondary")["present"] is True
    ev = event(brownoutd.cli("power-on", "dev0", "--wait", "BOOT_DONE:30"))
    assert (ev["data"]["version"], ev["data"]["swap-type"]) == ("2.0.0+0", "test")


def test_wait_errors(brownoutd, device):
    assert brownoutd.cli("status", "--wait", "BOOT_DONE").returncode == 64
    assert brownoutd.cli("reset", "dev0", "--wait", ":3").returncode == 64
    assert brownoutd.cli("reset", "dev0", "--wait", "BOOT_DONE:soon").returncode == 64
    # The command fails (the device is off): its error, not a wait.
    r = brownoutd.cli("power-off", "dev0")
    assert r.returncode == 1 and "InvalidState" in r.stderr
    r = brownoutd.cli("reset", "nodev", "--wait", "BOOT_DONE")
    assert r.returncode == 1 and "DeviceNotFound" in r.stderr
