# SPDX-License-Identifier: Apache-2.0
# The tests of the Python client (python/brownout) against the daemon of $BUILD; they load the
# package from the source tree and its pytest plugin (tests/scripts/test_python_client.sh).
import os
import random
import subprocess
import sys

import pytest

ROOT = os.environ.setdefault(
    "BROWNOUT_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
sys.path.insert(0, os.path.join(ROOT, "python"))

pytest_plugins = ["brownout.pytest_plugin"]


@pytest.fixture(scope="session")
def images(tmp_path_factory):
    """v1 (1.0.0), v2 (2.0.0, padded with a test request) and v3 (3.0.0, unpadded: no request
    until one is made), signed with the test key."""
    from brownout import find_program, fixture
    d = str(tmp_path_factory.mktemp("images"))
    out = {}
    for name, version, opts in (("v1", "1.0.0", []), ("v2", "2.0.0", ["-S", "0x34000", "--test"]),
                                ("v3", "3.0.0", [])):
        payload = os.path.join(d, name + ".payload")
        with open(payload, "wb") as f:
            f.write(random.Random(name).randbytes(30000))
        out[name] = os.path.join(d, name + ".bin")
        subprocess.run([find_program("brownout"), "image", "sign", "-k",
                        fixture("keys", "ec256.pem"), "-v", version, "--pad-header", "-H",
                        "0x200", "--align", "4", *opts, payload, out[name]], check=True,
                       stdout=subprocess.DEVNULL)
    return out


@pytest.fixture
def brownoutd_images(images):
    return {"primary": images["v1"]}
