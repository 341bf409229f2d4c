#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Integration test of issue 15 item 3 (DTLS lockout without credentials): waves of raw
ClientHellos that echo the HelloVerifyRequest cookie and then stay silent, more than the
device's 16 session slots each, while a real client (Debian's coap-client-openssl, with the
PSK) keeps getting GET /fw from a device of a real brownoutd. Before half-open handshakes had a
budget of their own, the first wave filled every slot and the client was refused for about
120 s. Python standard library only.

    BUILD=build BROWNOUT_ROOT=. python3 tests/integration/test_dtls_flood.py [-v]
"""
import json
import os
import shutil
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_ota  # noqa: E402
from test_ota import OtaTest, have  # noqa: E402

# Half-open handshakes per wave: more than the default cap of 16 sessions.
WAVE = 20
WAVES = 3


def client_hello(cookie=b"", seq=0):
    """A DTLS 1.2 ClientHello offering PSK-AES128-CCM8 only, in one record."""
    body = bytes([0xfe, 0xfd]) + bytes((i * 7 + seq) & 0xff for i in range(32))
    body += bytes([0, len(cookie)]) + cookie + bytes([0, 2, 0xc0, 0xa8, 1, 0])
    # Type, length, message_seq (2), fragment_offset (3), fragment_length: one fragment.
    hs = bytes([1]) + len(body).to_bytes(3, "big") + bytes(5)
    hs += len(body).to_bytes(3, "big") + body
    rec = bytes([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, seq]) + len(hs).to_bytes(2, "big")
    return rec + hs


def half_open(port):
    """Echoes the cookie, then stays silent. Returns (socket, answer: 'hello' or 'alert')."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(3)
        s.connect(("127.0.0.1", port))
        s.send(client_hello())
        hvr = s.recv(2048)
        if len(hvr) < 28 or hvr[0] != 22 or hvr[13] != 3:
            raise AssertionError("no HelloVerifyRequest: %r" % hvr[:16])
        cookie = hvr[28:28 + hvr[27]]
        s.send(client_hello(cookie, 1))
        answer = s.recv(2048)
    except BaseException:
        s.close()
        raise
    if answer[0] == 22 and answer[13] == 2:
        return s, "hello"
    if answer[0] == 21:
        return s, "alert"
    s.close()
    raise AssertionError("unexpected answer: %r" % answer[:16])


def setUpModule():
    test_ota.IMAGE_DIR = tempfile.mkdtemp(prefix="bo-flood-images.")
    test_ota.IMAGES["v1"] = test_ota.sign(test_ota.IMAGE_DIR, "v1", "1.0.0", 30000)


def tearDownModule():
    shutil.rmtree(test_ota.IMAGE_DIR, ignore_errors=True)


@unittest.skipUnless(have("coap-client-openssl"), "libcoap3-bin (coap-client-openssl) is missing")
class FloodTest(OtaTest):
    def test_half_open_flood_does_not_lock_out(self):
        # The settings: the default cap (16) and handshake timeouts (1 s doubling to
        # 60 s), so a half-open handshake would hold its slot for about 120 s.
        d, c = self.start({"psk": {"dtls-timeout-min": None, "dtls-timeout-max": None}})
        port = self.app_port(c, "psk")
        self.assertEqual(self.get_fw(port)["image"], 0)
        socks = []
        try:
            for wave in range(WAVES):
                answers = []
                for _ in range(WAVE):
                    s, answer = half_open(port)
                    socks.append(s)
                    answers.append(answer)
                # Every slot would be taken now, yet the client gets in.
                r = self.coap(port, "get", "/fw", wait=5)
                try:
                    fw = json.loads(r.stdout)
                except ValueError:
                    self.fail("wave %d: locked out: %r" % (wave, (r.stdout + r.stderr)[-300:]))
                self.assertEqual(fw["slots"][0]["version"], "1.0.0+0", "wave %d" % wave)
                # The attacker's hellos were all admitted: they pushed each other out.
                self.assertEqual(answers, ["hello"] * WAVE, "wave %d" % wave)
        finally:
            for s in socks:
                s.close()
        dtls = c.ok("query-status", device="psk")["net"]["dtls"]
        self.assertEqual(dtls["refused"], 0, dtls)
        self.assertEqual(dtls["handshakes"], 1 + WAVES, dtls)
        # Half-open handshakes never hold more than their budget (max-sessions / 2 = 8); the
        # others were evicted (each counts as a failed handshake).
        self.assertLessEqual(dtls["sessions"] - dtls["established"], 8, dtls)
        self.assertGreaterEqual(dtls["handshakes-failed"], WAVES * WAVE - 8, dtls)


if __name__ == "__main__":
    unittest.main()
