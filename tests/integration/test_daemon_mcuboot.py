# SPDX-License-Identifier: Apache-2.0
"""brownoutd devices that run unmodified upstream MCUboot (bootloader = mcuboot, issue 16).

    BUILD=build BROWNOUT_ROOT=. python3 -m pytest -p brownout.pytest_plugin \
        tests/integration/test_daemon_mcuboot.py

(tests/scripts/test_integration_daemon_mcuboot.sh runs it in make check.) The MCUboot tree is
$BROWNOUT_SHARED/peers/mcuboot (default ../shared beside the repository); the images are signed
here with that tree's own imgtool and the interop vectors' P-256 key. A device on an nRF52840
in swap-move boots v1, stages v2 through the protocol (image-load, upgrade), loses power at
flash operations spread over the swap, recovers on the next power-on and boots v2; an
unconfirmed test reverts to v1; a confirmed one stays; the OTA app updates it over CoAPs. Then
the one-line refusals at start.
"""
import os
import shutil
import subprocess
import sys

import pytest
from brownout.daemon import Daemon, write_config

ROOT = os.path.abspath(os.environ.get("BROWNOUT_ROOT", os.path.join(os.path.dirname(__file__),
                                                                     "..", "..")))
SHARED = os.environ.get("BROWNOUT_SHARED", os.path.join(ROOT, "..", "shared"))
TREE = os.path.abspath(os.path.join(SHARED, "peers", "mcuboot"))
IMGTOOL = os.path.join(TREE, "scripts", "imgtool.py")
KEYS = os.path.join(SHARED, "interop", "imgtool", "keys")
BUILD = os.path.abspath(os.path.join(ROOT, os.environ.get("BUILD", "build")))
BOARD = os.path.join(ROOT, "fixtures", "boards", "nrf52840.ini")
SLOT_SIZE = 0x34000

pytestmark = pytest.mark.skipif(not os.path.isdir(os.path.join(TREE, "boot", "bootutil")),
                                reason="no MCUboot tree")


def sign(workdir, version, size, *opts):
    """An image signed by upstream's imgtool (a seeded payload of size bytes)."""
    payload = os.path.join(workdir, "payload-%s.bin" % version)
    with open(payload, "wb") as f:
        f.write(bytes((i * 7 + len(version)) & 0xFF for i in range(size)))
    out = os.path.join(workdir, "v%s%s.bin" % (version, "".join(opts)))
    subprocess.run([sys.executable, IMGTOOL, "sign", "--key", os.path.join(KEYS, "ec256.pem"),
                    "--header-size", "0x200", "--pad-header", "--align", "4", "--version",
                    version, "--slot-size", hex(SLOT_SIZE), *opts, payload, out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("mcuboot-images"))
    # v2-test: padded to the slot with imgtool's test trailer (magic set, image_ok unset).
    return {"v1": sign(d, "1.0.0", 30000), "v2": sign(d, "2.0.0", 40000),
            "v2-test": sign(d, "2.0.0", 40000, "--pad")}


def mcuboot_device(images, **extra):
    dev = {"board": BOARD, "mode": "swap-move", "key": os.path.join(KEYS, "ec256.pub.pem"),
           "bootloader": "mcuboot", "flash-in-ram": True, "power-on": "manual",
           "image": "primary=%s" % images["v1"]}
    dev.update(extra)
    return dev


@pytest.fixture(scope="module")
def built(images, tmp_path_factory):
    """The device's variant, built on demand by the start check of brownoutd --check-config
    (the first build of a variant takes longer than a daemon's ready timeout)."""
    tmp = tmp_path_factory.mktemp("mcuboot-build")
    rc, err, _ = check_config(tmp, {"dev0": mcuboot_device(images)}, {"mcuboot-src": TREE})
    assert rc == 0, err
    return True


@pytest.fixture
def brownoutd_devices(images, built):
    return {"dev0": mcuboot_device(images)}


@pytest.fixture
def brownoutd_options():
    return {"args": ["--mcuboot-src", TREE], "ready_timeout": 120.0}


def version(boot):
    return boot["version"].split("+")[0]


def stage(device, images):
    """Writes v2 into the secondary slot and requests a test upgrade; returns the state."""
    device.load_image("secondary", images["v2"])
    return device.execute("upgrade")


def upgrade_and_revert(device, images):
    """Stages v2 as a test, boots it and lets it revert; returns the number of flash operations
    of the boot that swapped (the swap's span for the cuts)."""
    state = stage(device, images)
    assert state["pending"] and state["next-swap"] == "test"
    boot = device.reset()
    assert version(boot) == "2.0.0"
    assert boot["state"]["next-swap"] == "revert" and not boot["state"]["confirmed"]
    back = device.reset()
    assert version(back) == "1.0.0"
    return boot["ops"]


def test_unconfirmed_test_reverts(device, images):
    boot = device.power_on()
    assert version(boot) == "1.0.0" and boot["bootloader"] == "mcuboot"
    st = device.status()
    assert st["bootloader"] == "mcuboot"
    variant = st["mcuboot-variant"]
    assert variant.startswith("swap-move_ec256_a8_")
    assert st["bootloader-id"] == boot["bootloader-id"]
    assert st["bootloader-id"].endswith(" " + variant)
    upgrade_and_revert(device, images)
    # The revert is for good: the next boot stays on v1.
    assert version(device.reset()) == "1.0.0"


def test_cut_during_swap_recovers_then_confirm(device, images):
    assert version(device.power_on()) == "1.0.0"
    span = upgrade_and_revert(device, images)
    assert span > 8
    for at in (1, span // 4, span // 2, (3 * span) // 4, span - 1):
        stage(device, images)
        device.arm_cut(at)
        loss = device.reset(wait="POWER_LOSS")
        assert loss["phase"] == "boot" and loss["op"] == at
        boot = device.power_on()
        assert version(boot) == "2.0.0", "cut at op %d of %d: %s" % (at, span, boot)
        assert version(device.reset()) == "1.0.0", "revert after the cut at op %d" % at
    stage(device, images)
    assert version(device.reset()) == "2.0.0"
    state = device.confirm()
    assert state["confirmed"]
    boot = device.reset()
    assert version(boot) == "2.0.0" and boot["state"]["confirmed"]


def test_untrusted_image_never_boots(images, built):
    """An image signed by a key the device does not trust: upstream refuses it, BOOT_FAILED."""
    wrong = os.path.join(SHARED, "interop", "imgtool", "ec256-wrong-key.bin")
    dev = mcuboot_device(images, image="primary=%s" % wrong)
    with Daemon(devices={"dev0": dev}, args=["--mcuboot-src", TREE], ready_timeout=120.0) as d:
        device = d.device()
        failed = device.power_on(wait="BOOT_FAILED")
        assert failed["bootloader"] == "mcuboot" and failed["error"]
        assert device.status()["state"] == "halted"


def test_cli_stage_cut_confirm(brownoutd, device, images):
    """The same through the brownout CLI: an imgtool test image staged with image load (its
    trailer requests the test), a cut armed with power-cut, confirm."""
    assert version(device.power_on()) == "1.0.0"
    brownoutd.cli("image", "load", "dev0", "secondary", images["v2-test"], check=True)
    brownoutd.cli("power-cut", "dev0", "--at-op", "20", check=True)
    with device.client.expect("POWER_LOSS", device="dev0") as ev:
        brownoutd.cli("reset", "dev0", check=True)
    assert ev.data["phase"] == "boot" and ev.data["op"] == 20
    boot = device.power_on()
    assert version(boot) == "2.0.0" and not boot["state"]["confirmed"]
    brownoutd.cli("confirm", "dev0", check=True)
    boot = device.reset()
    assert version(boot) == "2.0.0" and boot["state"]["confirmed"]


PSK_ID = "brownout-client"
PSK_TEXT = "brownout-ota-psk"


def coap(port, method, path, payload=None, file=None):
    """One request of Debian's coap-client-gnutls with the PSK; fails on an error reply."""
    cmd = ["coap-client-gnutls", "-m", method, "-B", "10", "-u", PSK_ID, "-k", PSK_TEXT]
    if payload is not None:
        cmd += ["-e", payload]
    if file is not None:
        cmd += ["-b", "1024", "-f", file]
    r = subprocess.run(cmd + ["coaps://127.0.0.1:%d%s" % (port, path)], capture_output=True,
                       timeout=30)
    out = (r.stdout + r.stderr).decode(errors="replace")
    assert r.returncode == 0 and " 4." not in out and " 5." not in out, out
    return out


def app_boot(device, command):
    """Runs command (power-on, reset) and waits for the app; returns (last boot, UDP port)."""
    with device.client.expect("APP_READY", device=device.name, timeout=30) as ev:
        device.execute(command)
    return device.status()["last-boot"], ev.data["port"]


@pytest.mark.skipif(shutil.which("coap-client-gnutls") is None,
                    reason="libcoap3-bin (coap-client-gnutls) is not installed")
def test_ota_app_on_mcuboot(images, built):
    """The OTA app on top: a CoAPs upload, a test request, confirm; upstream boots the image."""
    net = {"address": "127.0.0.1:0", "psk-identity": PSK_ID, "psk": PSK_TEXT.encode().hex(),
           "dtls-timeout-min": "300ms", "dtls-timeout-max": "4s"}
    with Daemon(devices={"dev0": mcuboot_device(images, **net)},
                args=["--mcuboot-src", TREE], ready_timeout=120.0) as d:
        device = d.device()
        boot, port = app_boot(device, "power-on")
        assert version(boot) == "1.0.0" and boot["bootloader"] == "mcuboot"
        coap(port, "put", "/fw/upload", file=images["v2"])
        coap(port, "post", "/fw/pending", payload="test")
        boot, port = app_boot(device, "reset")
        assert version(boot) == "2.0.0" and not boot["state"]["confirmed"]
        coap(port, "post", "/fw/confirm")
        boot, port = app_boot(device, "reset")
        assert version(boot) == "2.0.0" and boot["state"]["confirmed"]


def check_config(tmp_path, devices, daemon=None, program=None, env=None):
    """brownoutd --check-config on an INI file; returns (exit status, stderr, the file)."""
    ini = str(tmp_path / "brownoutd.ini")
    write_config(ini, devices, daemon)
    r = subprocess.run([program or os.path.join(BUILD, "bin", "brownoutd"), "-c", ini,
                        "--check-config"], capture_output=True, text=True, env=env)
    return r.returncode, r.stderr.strip(), ini


def test_refused_without_tree(tmp_path, images):
    rc, err, ini = check_config(tmp_path, {"dev0": mcuboot_device(images)})
    assert rc == 78
    assert err == ("brownoutd: %s:4: device 'dev0': bootloader = mcuboot needs a MCUboot tree "
                   "(mcuboot-src = DIR in [daemon], or --mcuboot-src DIR)" % ini)


def test_refused_not_mcuboot(tmp_path, images):
    rc, err, ini = check_config(tmp_path, {"dev0": mcuboot_device(images)},
                                {"mcuboot-src": str(tmp_path)})
    assert rc == 78
    assert err.startswith("brownoutd: %s:5: device 'dev0': mcuboot-src: " % ini)
    assert "not a MCUboot tree" in err and len(err.splitlines()) == 1


def test_refused_variant_upstream_rejects(tmp_path, images):
    dev = mcuboot_device(images, key=os.path.join(ROOT, "fixtures", "keys", "ec384.pub.pem"))
    rc, err, ini = check_config(tmp_path, {"dev0": dev}, {"mcuboot-src": TREE})
    assert rc == 78
    assert err.startswith("brownoutd: %s:5: device 'dev0': " % ini)
    assert "upstream MCUboot rejects variant swap-move_ec384_" in err
    assert "(MCUBOOT_SIGN_EC384)" in err and len(err.splitlines()) == 1


def test_refused_installed(tmp_path, images):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    prog = str(bindir / "brownoutd")
    shutil.copy(os.path.join(BUILD, "bin", "brownoutd"), prog)
    env = {k: v for k, v in os.environ.items() if k != "BROWNOUT_ROOT"}
    rc, err, ini = check_config(tmp_path, {"dev0": mcuboot_device(images)},
                                {"mcuboot-src": TREE}, program=prog, env=env)
    assert rc == 78
    assert err == ("brownoutd: %s:5: device 'dev0': bootloader = mcuboot: this brownoutd (%s) "
                   "is not in a brownout build tree, and upstream MCUboot variants are built "
                   "from the source tree (set BROWNOUT_ROOT)" % (ini, tmp_path))


def test_refused_shared_variant_other_keys(tmp_path, images):
    other = mcuboot_device(images, key=os.path.join(ROOT, "fixtures", "keys", "ec256.pub.pem"))
    rc, err, ini = check_config(tmp_path, {"dev0": mcuboot_device(images), "dev1": other},
                                {"mcuboot-src": TREE})
    assert rc == 78
    assert err.startswith("brownoutd: %s:14: device 'dev1': names other key files than device "
                          "'dev0', which runs the same mcuboot variant swap-move_ec256_" % ini)
    assert err.endswith(": its program has one key table") and len(err.splitlines()) == 1
