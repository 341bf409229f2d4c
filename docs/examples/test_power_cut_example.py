# SPDX-License-Identifier: Apache-2.0
"""An example test suite: power-fail an upgrade with each fault model. Copy it (with
conftest.py) next to your tests and put your own images and board in the fixtures below.

    BROWNOUT_ROOT=/path/to/brownout BUILD=build python3 -m pytest docs/examples

It signs two images (1.0.0, and 2.0.0 marked for a test upgrade), boots 1.0.0, stages 2.0.0,
counts the flash operations of the upgrade, then for each fault model cuts power in the middle
of it, powers on, and asserts that the device boots 2.0.0 (the upgrade resumes), that the next
reset reverts to 1.0.0 (nothing confirmed the test image), and that replaying the same cut
gives the same result.
"""
import os
import random
import subprocess

import pytest

from brownout import find_program, fixture

FAULTS = ["before", "after", "torn-prefix", "torn-bits", "erase-partial", "weak"]
SLOT_SIZE = 0x34000  # nRF52840's image slots (fixtures/boards/nrf52840.ini)


def sign(workdir, name, version, *options):
    """Signs a random payload with the test key into workdir/name.bin."""
    payload = os.path.join(workdir, name + ".payload")
    with open(payload, "wb") as f:
        f.write(random.Random(name).randbytes(40000))
    out = os.path.join(workdir, name + ".bin")
    subprocess.run([find_program("brownout"), "image", "sign", "-k",
                    fixture("keys", "ec256.pem"), "-v", version, "--pad-header", "-H", "0x200",
                    "--align", "4", *options, payload, out], check=True,
                   stdout=subprocess.DEVNULL)
    return out


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("images"))
    return {"v1": sign(d, "v1", "1.0.0"),
            "v2": sign(d, "v2", "2.0.0", "-S", hex(SLOT_SIZE), "--test")}


@pytest.fixture
def brownoutd_images(images):
    """dev0 starts with 1.0.0 in its primary slot (the brownoutd fixture reads this)."""
    return {"primary": images["v1"]}


def stage(device, images):
    """A fresh device: flash erased, 1.0.0 in primary, 2.0.0 staged for a test upgrade."""
    device.power_off()
    device.erase_all()
    device.load_image("primary", images["v1"])
    device.load_image("secondary", images["v2"])


def upgrade_ops(device, images):
    """The flash operations of the whole upgrade boot."""
    stage(device, images)
    boot = device.power_on()
    assert boot["version"] == "2.0.0+0" and boot["swap-type"] == "test"
    return boot["ops"]


def cut_and_boot(device, images, at_op, fault):
    """Stages, cuts at at_op with fault, powers on; returns (POWER_LOSS data, BOOT_DONE data)."""
    stage(device, images)
    device.arm_cut(at_op, fault, seed=7)
    loss = device.power_on(wait="POWER_LOSS")
    return loss, device.power_on()


@pytest.mark.parametrize("fault", FAULTS)
def test_cut_mid_upgrade(device, images, fault):
    # The daemon's devices start off (power-on = manual): the first boot runs 1.0.0.
    assert device.power_on()["version"] == "1.0.0+0"
    ops = upgrade_ops(device, images)
    assert ops > 4
    at_op = ops // 2

    loss, boot = cut_and_boot(device, images, at_op, fault)
    assert loss["op"] == at_op and loss["fault"] == fault
    assert boot["version"] == "2.0.0+0"  # The interrupted upgrade resumed.
    # A test upgrade the app did not confirm reverts at the next reset.
    revert = device.reset()
    assert (revert["version"], revert["swap-type"]) == ("1.0.0+0", "revert")

    # Replay: the same cut (same op, model and seed) on the same start gives the same result.
    loss2, boot2 = cut_and_boot(device, images, at_op, fault)
    assert (loss2["op"], loss2["offset"], loss2["kind"]) == (loss["op"], loss["offset"],
                                                             loss["kind"])
    assert (boot2["version"], boot2["swap-type"]) == (boot["version"], boot["swap-type"])
