#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Integration tests of the device app: over-the-air updates over CoAPs (DTLS 1.2) driven by
real clients that no one here wrote (Debian's libcoap coap-client-openssl and
coap-client-gnutls, and openssl s_client), against devices of a real brownoutd. Python standard
library only.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_ota.py [-v] [TestCase...]

Every test starts its own daemon on a temporary directory, with devices on ephemeral UDP ports
of 127.0.0.1 (the APP_READY event says which), and cleans up even when it fails. Tests that need
a client missing here skip.
"""
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import BIN, BOARD, KEY, PUB, ROOT, Daemon  # noqa: E402

PKI = os.path.join(ROOT, "fixtures", "pki")
OTHER_KEY = os.path.join(ROOT, "fixtures", "keys", "interop-ec256-other.pem")
PSK_ID = "brownout-client"
PSK_TEXT = "brownout-ota-psk"
PSK = ["-u", PSK_ID, "-k", PSK_TEXT]
CERT = ["-c", os.path.join(PKI, "client.pem"), "-j", os.path.join(PKI, "client.key"),
        "-C", os.path.join(PKI, "ca.pem")]
UNTRUSTED = ["-c", os.path.join(PKI, "other-client.pem"), "-j",
             os.path.join(PKI, "other-client.key"), "-C", os.path.join(PKI, "ca.pem")]
CLIENTS = ("openssl", "gnutls")
IMAGES = {}
IMAGE_VERSIONS = {"v1": "1.0.0", "v2": "2.0.0", "v3": "3.0.0", "v4": "4.0.0", "v5": "5.0.0"}


def have(prog):
    return shutil.which(prog) is not None


def sign(workdir, name, version, size, key=KEY):
    payload = os.path.join(workdir, name + ".payload")
    with open(payload, "wb") as f:
        f.write(random.Random(name).randbytes(size))
    out = os.path.join(workdir, name + ".bin")
    cmd = [os.path.join(BIN, "brownout"), "image", "sign", "-v", version, "--pad-header",
           "-H", "0x200", "--align", "4", payload, out]
    if key is not None:
        cmd[3:3] = ["-k", key]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return out


def setUpModule():
    global IMAGE_DIR
    IMAGE_DIR = tempfile.mkdtemp(prefix="bo-ota-images.")
    IMAGES["v1"] = sign(IMAGE_DIR, "v1", "1.0.0", 30000)
    IMAGES["v2"] = sign(IMAGE_DIR, "v2", "2.0.0", 40000)
    IMAGES["v3"] = sign(IMAGE_DIR, "v3", "3.0.0", 24000)
    IMAGES["v4"] = sign(IMAGE_DIR, "v4", "4.0.0", 36000)
    IMAGES["v5"] = sign(IMAGE_DIR, "v5", "5.0.0", 28000)
    IMAGES["small"] = sign(IMAGE_DIR, "small", "2.1.0", 6000)
    IMAGES["unsigned"] = sign(IMAGE_DIR, "unsigned", "9.0.0", 20000, key=None)
    IMAGES["other"] = sign(IMAGE_DIR, "other", "9.0.0", 20000, key=OTHER_KEY)


def tearDownModule():
    shutil.rmtree(IMAGE_DIR, ignore_errors=True)


def device_ini(workdir, name, **keys):
    """A [device] section with a v1 primary and a PSK on an ephemeral port; keys override."""
    base = {
        "board": BOARD, "key": PUB, "flash": os.path.join(workdir, name + ".bin"),
        "image": "primary=" + IMAGES["v1"], "power-on-delay-ms": "50",
        "address": "127.0.0.1:0", "psk-identity": PSK_ID, "psk": PSK_TEXT.encode().hex(),
        "dtls-timeout-min": "300ms", "dtls-timeout-max": "4s",
    }
    base.update({k.replace("_", "-"): v for k, v in keys.items()})
    lines = ["[device %s]" % name]
    lines += ["%s = %s" % (k, v) for k, v in base.items() if v is not None]
    return "\n".join(lines) + "\n"


class OtaTest(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="bo-ota.")
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
        for bad in ("LeakSanitizer", "runtime error:", "heap-use-after-free",
                    "heap-buffer-overflow", "stack-buffer-overflow", "double-free"):
            self.assertNotIn(bad, text)

    def start(self, devices):
        """Starts brownoutd with devices {name: {key: value}}; returns (daemon, client)."""
        ini = os.path.join(self.workdir, "ota.ini")
        with open(ini, "w") as f:
            for name, keys in devices.items():
                f.write(device_ini(self.workdir, name, **keys))
        d = Daemon(self.workdir, ["-c", ini])
        self.daemons.append(d)
        c = d.client()
        c.ok("events", enable=True)
        return d, c

    def app_port(self, c, dev, boots=1, timeout=20):
        """Waits until dev runs its app after at least `boots` boots; returns its UDP port."""
        deadline = time.time() + timeout
        st = None
        while time.time() < deadline:
            st = c.ok("query-status", device=dev)
            app = st.get("app")
            if st["state"] == "running" and st["boots"] >= boots and app is not None:
                self.assertTrue(app["ready"], app)
                c.events.clear()
                return app["port"]
            time.sleep(0.03)
        raise AssertionError("%s: no app running: %s" % (dev, st))

    def next_boot(self, c, dev):
        """Waits for dev's next BOOT_DONE and APP_READY; returns (BOOT_DONE data, port)."""
        boot = c.wait_event("BOOT_DONE", dev)
        ready = c.wait_event("APP_READY", dev)
        return boot, ready["port"]

    def coap(self, port, method, path, client="openssl", auth=PSK, payload=None, file=None,
             block=None, wait=10):
        cmd = ["coap-client-" + client, "-m", method, "-B", str(wait)] + auth
        if block is not None:
            cmd += ["-b", str(block)]
        if payload is not None:
            cmd += ["-e", payload]
        if file is not None:
            cmd += ["-f", file]
        cmd.append("coaps://127.0.0.1:%d%s" % (port, path))
        return subprocess.run(cmd, capture_output=True, timeout=wait + 15)

    def coap_ok(self, port, method, path, **kw):
        r = self.coap(port, method, path, **kw)
        self.assertEqual(r.returncode, 0, r)
        self.assertNotRegex(r.stderr.decode(errors="replace"), r"\b[45]\.\d\d\b", r)
        return r.stdout

    def get_fw(self, port, **kw):
        return json.loads(self.coap_ok(port, "get", "/fw", **kw))

    def upload(self, port, image, block=1024, client="gnutls", **kw):
        # coap_ok() also fails on a local 5.00, as libcoap 4.3.1's OpenSSL client prints when a
        # 1024-byte block does not fit a record ("coap_pdu_resize: pdu too big").
        self.coap_ok(port, "put", "/fw/upload", file=image, block=block, client=client, **kw)

    def pending(self, port, kind="test", **kw):
        return self.coap(port, "post", "/fw/pending", payload=kind, **kw)


@unittest.skipUnless(have("coap-client-openssl") and have("coap-client-gnutls"),
                     "libcoap3-bin (coap-client-openssl, coap-client-gnutls) is not installed")
class TestCoapClients(OtaTest):
    def test_psk_and_cert_get_fw_with_both_clients(self):
        cert = {"psk-identity": None, "psk": None,
                "certificate": os.path.join(PKI, "device-chain.pem"),
                "private-key": os.path.join(PKI, "device.key"),
                "ca": os.path.join(PKI, "ca.pem"), "require-client-cert": "true"}
        d, c = self.start({"psk": {}, "cert": cert})
        ports = {"psk": self.app_port(c, "psk"), "cert": self.app_port(c, "cert")}
        for client in CLIENTS:
            for dev, auth in (("psk", PSK), ("cert", CERT)):
                fw = self.get_fw(ports[dev], client=client, auth=auth)
                self.assertIn("1.0.0", json.dumps(fw), (client, dev, fw))
            wk = self.coap_ok(ports["psk"], "get", "/.well-known/core", client=client)
            self.assertIn(b"</fw>", wk)
        st = c.ok("query-status", device="cert")
        self.assertGreaterEqual(st["net"]["dtls"]["handshakes"], 2)
        self.assertGreater(st["net"]["heap"]["peak"], 0)
        self.assertGreater(st["net"]["heap"]["session-peak-max"], 0)
        self.assertEqual(st["app"]["port"], ports["cert"])
        # An unknown PSK identity, a wrong key and an untrusted certificate fail the handshake.
        failed = st["net"]["dtls"]["handshakes-failed"]
        for client in CLIENTS:
            r = self.coap(ports["psk"], "get", "/fw", client=client, wait=3,
                          auth=["-u", "nobody", "-k", PSK_TEXT])
            self.assertNotIn(b"1.0.0", r.stdout)
            r = self.coap(ports["psk"], "get", "/fw", client=client, wait=3,
                          auth=["-u", PSK_ID, "-k", "wrong-key-wrong"])
            self.assertNotIn(b"1.0.0", r.stdout)
            r = self.coap(ports["cert"], "get", "/fw", client=client, auth=UNTRUSTED, wait=3)
            self.assertNotIn(b"1.0.0", r.stdout)
        st = c.ok("query-status", device="cert")
        self.assertGreater(st["net"]["dtls"]["handshakes-failed"], failed)
        self.assertEqual(c.ok("query-status", device="psk")["state"], "running")

    def test_full_ota_both_clients_block512_and_block1024(self):
        # Four full updates on one device, each client with each block size: upload, a test
        # swap, confirm, reset, still the new version. The last one is permanent instead.
        rounds = (("openssl", 512, "v2", "test"), ("openssl", 1024, "v3", "test"),
                  ("gnutls", 512, "v4", "test"), ("gnutls", 1024, "v5", "permanent"))
        d, c = self.start({"dev0": {}})
        port = self.app_port(c, "dev0")
        for i, (client, block, image, kind) in enumerate(rounds):
            what = (client, block, image)
            version = IMAGE_VERSIONS[image] + "+0"
            self.upload(port, IMAGES[image], block=block, client=client)
            fw = self.get_fw(port, client=client)
            self.assertIn(IMAGE_VERSIONS[image], json.dumps(fw), (what, fw))
            r = self.pending(port, kind, client=client)
            self.assertEqual(r.returncode, 0, (what, r))
            if i == 0:
                # A clean reboot asked by the app, through the daemon.
                self.coap(port, "post", "/reboot", client=client)
                self.assertIn("reason", c.wait_event("RESET_REQUEST", "dev0"))
            else:
                c.ok("reset", device="dev0")
            boot, port = self.next_boot(c, "dev0")
            self.assertEqual(boot["version"], version, what)
            if kind == "test":
                self.assertEqual(boot["swap-type"], "test", what)
                self.coap_ok(port, "post", "/fw/confirm", client=client)
                c.ok("reset", device="dev0")
                boot, port = self.next_boot(c, "dev0")
                self.assertEqual(boot["swap-type"], "none", what)
            else:
                self.assertEqual(boot["swap-type"], "perm", what)
                c.ok("reset", device="dev0")
                boot, port = self.next_boot(c, "dev0")
            self.assertEqual(boot["version"], version, what)

    def test_aead_suites_are_chosen(self):
        # With PSK, both clients offer CBC and AEAD suites: the device picks AEAD (a CBC-SHA384
        # suite's overhead made coap-client-openssl fail its second 1024-byte block).
        cert = {"psk-identity": None, "psk": None,
                "certificate": os.path.join(PKI, "device-chain.pem"),
                "private-key": os.path.join(PKI, "device.key"),
                "ca": os.path.join(PKI, "ca.pem"), "require-client-cert": "true"}
        d, c = self.start({"psk": {}, "cert": cert})
        for dev, auth in (("psk", PSK), ("cert", CERT)):
            port = self.app_port(c, dev)
            cmd = ["coap-client-openssl", "-v", "9", "-m", "get", "-B", "5"] + auth
            r = subprocess.run(cmd + ["coaps://127.0.0.1:%d/fw" % port], capture_output=True,
                               timeout=20)
            out = (r.stdout + r.stderr).decode(errors="replace")
            used = [line for line in out.splitlines() if "Using cipher" in line]
            self.assertEqual(len(used), 1, (dev, out[-1500:]))
            self.assertRegex(used[0], r"Using cipher: \S*(GCM|CCM|CHACHA20)", dev)

    def test_confirm_never_reverts(self):
        d, c = self.start({"dev0": {"confirm": "never"}})
        port = self.app_port(c, "dev0")
        self.upload(port, IMAGES["v2"])
        self.assertEqual(self.pending(port).returncode, 0)
        c.ok("reset", device="dev0")
        boot, port = self.next_boot(c, "dev0")
        self.assertEqual(boot["version"], "2.0.0+0")
        r = self.coap(port, "post", "/fw/confirm")
        self.assertIn(b"4.03", r.stderr + r.stdout)
        c.ok("reset", device="dev0")
        boot, port = self.next_boot(c, "dev0")
        self.assertEqual(boot["version"], "1.0.0+0")
        self.assertEqual(boot["swap-type"], "revert")

    def test_unsigned_and_wrongly_signed_images_never_boot(self):
        d, c = self.start({"dev0": {"confirm": "auto"}})
        port = self.app_port(c, "dev0")
        for name in ("unsigned", "other"):
            self.upload(port, IMAGES[name])
            r = self.pending(port)
            self.assertRegex((r.stderr + r.stdout).decode(errors="replace"), r"\b4\.\d\d\b",
                             (name, r))
            c.ok("reset", device="dev0")
            boot, port = self.next_boot(c, "dev0")
            self.assertEqual(boot["version"], "1.0.0+0", name)
            self.assertEqual(boot["swap-type"], "none", name)

    def test_link_faults_ota_completes(self):
        d, c = self.start({"dev0": {"link": "drop=5,duplicate=5,reorder=4,seed=11"}})
        port = self.app_port(c, "dev0")
        st = c.ok("query-status", device="dev0")
        self.assertEqual(st["link"], "drop=5,duplicate=5,reorder=4,seed=11")
        self.upload(port, IMAGES["small"], block=1024, wait=60)
        r = c.ok("set-link", device="dev0", link="reorder=3,duplicate=5,seed=5")
        self.assertTrue(r["applied"], r)
        self.assertEqual(self.pending(port, wait=60).returncode, 0)
        st = c.ok("query-status", device="dev0")
        self.assertGreater(st["net"]["dtls"]["link-dropped"], 0)
        c.ok("set-link", device="dev0", link="none")
        c.ok("reset", device="dev0")
        boot, port = self.next_boot(c, "dev0")
        self.assertEqual(boot["version"], "2.1.0+0")
        # Strict arguments: a bad specification, an unknown key, a device without a network.
        self.assertEqual(c.cmd("set-link", device="dev0", link="drop=x")["error"]["class"],
                         "InvalidArgument")
        self.assertEqual(c.cmd("set-link", device="dev0", link="none", x=1)["error"]["class"],
                         "InvalidArgument")
        self.assertEqual(c.cmd("set-link", device="nope", link="none")["error"]["class"],
                         "DeviceNotFound")


@unittest.skipUnless(have("coap-client-openssl") and have("coap-client-gnutls"),
                     "libcoap3-bin (coap-client-openssl, coap-client-gnutls) is not installed")
class TestPowerCuts(OtaTest):
    def test_cut_during_upload_then_restart_and_cut_during_swap(self):
        d, c = self.start({"dev0": {}})
        self.app_port(c, "dev0")
        ops = c.ok("query-status", device="dev0")["last-boot"]["ops"]
        rng = random.Random(int(os.environ.get("BROWNOUT_TEST_SEED", "6")))
        at = ops + rng.randrange(1, 30)
        model = rng.choice(["before", "after", "torn-bits", "torn-prefix", "weak"])
        c.ok("power-cut", device="dev0", at_op=at, fault=model, seed=rng.randrange(1 << 30))
        c.ok("reset", device="dev0")
        boot, port = self.next_boot(c, "dev0")
        self.coap(port, "put", "/fw/upload", file=IMAGES["v2"], block=1024, client="gnutls",
                  wait=3)
        loss = c.wait_event("POWER_LOSS", "dev0")
        self.assertEqual((loss["op"], loss["phase"]), (at, "app"), loss)
        # Power comes back by itself: v1 boots, and the upload starts over and completes.
        boot, port = self.next_boot(c, "dev0")
        self.assertEqual(boot["version"], "1.0.0+0")
        self.upload(port, IMAGES["v2"], block=1024)
        self.assertEqual(self.pending(port).returncode, 0)
        # A cut in the middle of the swap: the next boot resumes it.
        c.ok("power-cut", device="dev0", at_op=rng.randrange(5, 60), fault="torn-bits",
             seed=rng.randrange(1 << 30))
        c.ok("reset", device="dev0")
        self.assertEqual(c.wait_event("POWER_LOSS", "dev0")["phase"], "boot")
        boot, port = self.next_boot(c, "dev0")
        self.assertEqual(boot["version"], "2.0.0+0")


class TestRobustness(OtaTest):
    def test_garbage_datagrams_leave_the_device_serving(self):
        broken = {"psk": None, "psk-identity": None, "certificate": "/nonexistent/dev.pem",
                  "private-key": "/nonexistent/dev.key"}
        d, c = self.start({"dev0": {}, "broken": broken})
        port = self.app_port(c, "dev0")
        # A device whose app cannot start (a missing certificate) runs without network.
        deadline = time.time() + 20
        while c.ok("query-status", device="broken").get("app") is None:
            self.assertLess(time.time(), deadline)
            time.sleep(0.03)
        st = c.ok("query-status", device="broken")
        self.assertFalse(st["app"]["ready"], st)
        self.assertIn("error", st["app"])
        self.assertEqual(st["state"], "running")
        rng = random.Random(99)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            for i in range(10000):
                n = rng.randrange(1, 200)
                body = rng.randbytes(n)
                if i % 4 == 0:
                    # Record headers that look like DTLS 1.2: handshake, alert, data, CID.
                    body = bytes([rng.choice((20, 21, 22, 23, 25)), 0xfe, 0xfd]) + body
                s.sendto(body, ("127.0.0.1", port))
                if i % 500 == 0:
                    time.sleep(0.005)
        finally:
            s.close()
        st = c.ok("query-status", device="dev0")
        self.assertEqual(st["state"], "running")
        # No datagram carried a valid cookie: no session was created.
        self.assertEqual(st["net"]["dtls"]["sessions"], 0, st["net"])
        self.assertEqual(st["net"]["dtls"]["handshakes"], 0, st["net"])
        self.assertGreater(st["net"]["dtls"]["datagrams-in"], 0)
        if have("coap-client-openssl"):
            self.assertIn("1.0.0", json.dumps(self.get_fw(port)))

    def test_fixture_config_and_errors(self):
        exe = os.path.join(BIN, "brownoutd")
        r = subprocess.run([exe, "-c", os.path.join(ROOT, "fixtures", "ota.ini"), "--flash",
                            "psk=" + os.path.join(self.workdir, "psk.bin"), "--flash",
                            "cert=" + os.path.join(self.workdir, "cert.bin"), "--check-config"],
                           capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"address = 127.0.0.1:56841", r.stdout)
        self.assertIn(b"require-client-cert = true", r.stdout)
        bad = os.path.join(self.workdir, "bad.ini")
        for text, line, what in (
                ("address = 127.0.0.1:70000\n", 4, b"address must be"),
                ("address = 127.0.0.1:0\nlink = drop=5,wobble=2\n", 5, b"link"),
                ("confirm = later\n", 4, b"confirm must be"),
                ("address = 127.0.0.1:0\n", 1, b"needs psk-identity")):
            with open(bad, "w") as f:
                f.write("[device d]\nboard = %s\nflash-in-ram = true\n%s" % (BOARD, text))
            r = subprocess.run([exe, "-c", bad, "--check-config"], capture_output=True)
            self.assertEqual(r.returncode, 78, r)
            self.assertIn(("%s:%d:" % (bad, line)).encode(), r.stderr)
            self.assertIn(what, r.stderr)

    @unittest.skipUnless(have("openssl"), "openssl is not installed")
    def test_openssl_s_client_psk_and_cert(self):
        cert = {"certificate": os.path.join(PKI, "device-chain.pem"),
                "private-key": os.path.join(PKI, "device.key")}
        d, c = self.start({"dev0": cert})
        port = self.app_port(c, "dev0")
        base = ["openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:%d" % port]
        runs = [
            base + ["-psk_identity", PSK_ID, "-psk", PSK_TEXT.encode().hex(), "-cipher", "PSK"],
            base + ["-CAfile", os.path.join(PKI, "ca.pem"), "-verify_return_error",
                    "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-CCM8"],
        ]
        for cmd in runs:
            r = subprocess.run(cmd, input=b"", capture_output=True, timeout=20)
            out = r.stdout.decode(errors="replace")
            self.assertIn("DTLSv1.2", out, (cmd, out, r.stderr))
            self.assertRegex(out, r"Cipher is (?!\(NONE\))", out)
        st = c.ok("query-status", device="dev0")
        self.assertGreaterEqual(st["net"]["dtls"]["handshakes"], 2)


if __name__ == "__main__":
    for p in ("brownoutd", "brownout", "brownout-fw"):
        if not os.access(os.path.join(BIN, p), os.X_OK):
            print("test_ota: %s/%s is missing; build first" % (BIN, p), file=sys.stderr)
            sys.exit(1)
    unittest.main(verbosity=2)
