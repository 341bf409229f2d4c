# SPDX-License-Identifier: Apache-2.0
"""pytest fixtures for brownout. Load the plugin from a conftest.py:

    pytest_plugins = ["brownout.pytest_plugin"]

or on the command line with `-p brownout.pytest_plugin`.

Fixtures:
- brownoutd: a running Daemon (brownout.daemon) on a temporary directory, with the devices of
  the brownoutd_devices fixture (default: dev0 as brownout.default_device()) and the images
  of brownoutd_images (default: none); stopped and cleaned up after the test, also when it
  fails (its log is then added to the report).
- device: a Device (brownout.device) for dev0 of brownoutd, with a subscribed connection.
Override brownoutd_devices, brownoutd_images or brownoutd_options in a conftest.py or a test
module to change what the daemon runs. Options: --brownout-build DIR (where bin/brownoutd
is; default $BUILD, else PATH), --brownout-keep (leave the directories behind).
"""
import os

import pytest

from .daemon import Daemon
from .device import Device


def pytest_addoption(parser):
    group = parser.getgroup("brownout")
    group.addoption("--brownout-build", default=None,
                    help="the build directory whose bin/ holds brownoutd (default: $BUILD)")
    group.addoption("--brownout-keep", action="store_true",
                    help="keep each daemon's temporary directory (config, flash, log)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item, so teardown knows whether the test failed."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "brownout_rep_" + rep.when, rep)


@pytest.fixture
def brownoutd_devices():
    """The devices of the daemon ({name: {key: value}}); None: dev0 as default_device()."""
    return None


@pytest.fixture
def brownoutd_images():
    """Images written into dev0 at start ({slot: file}); only with the default devices."""
    return {}


@pytest.fixture
def brownoutd_options():
    """Keyword arguments for Daemon (e.g. {"mount": True, "quiet": False})."""
    return {}


@pytest.fixture
def brownoutd(request, brownoutd_devices, brownoutd_images, brownoutd_options):
    """A running brownoutd (brownout.Daemon), cleaned up after the test."""
    opts = dict(brownoutd_options)
    opts.setdefault("build", request.config.getoption("brownout_build") or
                    os.environ.get("BUILD"))
    opts.setdefault("keep", request.config.getoption("brownout_keep"))
    d = Daemon(devices=brownoutd_devices, images=brownoutd_images, **opts)
    try:
        yield d
    finally:
        rep = getattr(request.node, "brownout_rep_call", None)
        if rep is not None and rep.failed:
            request.node.add_report_section("teardown", "brownoutd log",
                                            d.log_text())
        d.cleanup()


@pytest.fixture
def device(brownoutd):
    """dev0 of the brownoutd fixture (brownout.Device), on a subscribed connection."""
    return Device(brownoutd.client().subscribe(), "dev0")
