# SPDX-License-Identifier: Apache-2.0
"""brownout: drive brownoutd (the power-failure simulator) from tests. Standard library only.

Client (client.py) speaks the control protocol; Daemon (daemon.py) runs a brownoutd on a
temporary directory; Device (device.py) drives one device race-free; pytest_plugin.py gives
pytest the fixtures brownoutd and device (docs/python.md).
"""
from .client import (BrownoutError, Client, CommandError, CommandNotFoundError,
                     CommandTimeoutError, ConnectionClosed, DaemonShutdown, DeviceNotFoundError,
                     ERROR_CLASSES, Expectation, GenericError, InvalidArgumentError,
                     InvalidRequestError, InvalidStateError, ParseError, ProtocolViolation,
                     WaitTimeout)
from .daemon import Daemon, DaemonError, default_device, find_program, fixture, write_config
from .device import Device

__version__ = "0.1.0"

__all__ = [
    "BrownoutError", "Client", "CommandError", "CommandNotFoundError", "CommandTimeoutError",
    "ConnectionClosed", "DaemonShutdown", "DeviceNotFoundError", "ERROR_CLASSES", "Expectation",
    "GenericError", "InvalidArgumentError", "InvalidRequestError", "InvalidStateError",
    "ParseError", "ProtocolViolation", "WaitTimeout", "Daemon", "DaemonError", "default_device",
    "find_program", "fixture", "write_config", "Device",
]
