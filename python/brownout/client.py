# SPDX-License-Identifier: Apache-2.0
"""A client of brownoutd's control protocol (docs/protocol.md). Python standard library only.

    from brownout import Client

    with Client("brownout.sock") as c:
        c.subscribe()
        with c.expect("BOOT_DONE", device="dev0") as boot:
            c.execute("reset", device="dev0")
        print(boot.data["version"])

Replies are matched by id; events that arrive meanwhile are kept in order, so an event the
daemon sent before wait_for() was called is still found. Error replies raise one exception
class per error class of the protocol (CommandError and its subclasses).
"""
import collections
import json
import os
import socket
import time


class BrownoutError(Exception):
    """Base of every error this package raises."""


class ConnectionClosed(BrownoutError, ConnectionError):
    """The daemon closed the connection."""


class ProtocolViolation(BrownoutError):
    """The daemon sent something that is not a JSON object (or not brownout's greeting)."""


class WaitTimeout(BrownoutError, TimeoutError):
    """No matching event (or reply) arrived in time."""


class DaemonShutdown(BrownoutError):
    """The daemon shut down (SHUTDOWN event) before the awaited event."""


class CommandError(BrownoutError):
    """An error reply: error_class and desc as the daemon sent them."""

    error_class = None

    def __init__(self, error_class, desc, command=None):
        super().__init__("%s: %s%s" % (error_class, desc,
                                       " (%s)" % command if command else ""))
        self.error_class = error_class
        self.desc = desc
        self.command = command


class ParseError(CommandError):
    """The line is not JSON or is too long."""
    error_class = "ParseError"


class InvalidRequestError(CommandError):
    """JSON, but not a request object."""
    error_class = "InvalidRequest"


class CommandNotFoundError(CommandError):
    """No command of that name."""
    error_class = "CommandNotFound"


class InvalidArgumentError(CommandError):
    """The arguments break the command's schema (desc names the key)."""
    error_class = "InvalidArgument"


class DeviceNotFoundError(CommandError):
    """No device, flash device or slot of that name."""
    error_class = "DeviceNotFound"


class InvalidStateError(CommandError):
    """Not possible in the device's current state."""
    error_class = "InvalidState"


class CommandTimeoutError(CommandError):
    """The daemon's own Timeout class: a request forwarded to firmware went unanswered."""
    error_class = "Timeout"


class GenericError(CommandError):
    """The command failed for another reason (desc says why)."""
    error_class = "GenericError"


#: The exception class of each error class of docs/protocol.md.
ERROR_CLASSES = {cls.error_class: cls for cls in (
    ParseError, InvalidRequestError, CommandNotFoundError, InvalidArgumentError,
    DeviceNotFoundError, InvalidStateError, CommandTimeoutError, GenericError)}


def error_from_reply(reply, command=None):
    """The exception for an error reply ({"error": {"class", "desc"}})."""
    err = reply.get("error") or {}
    cls = ERROR_CLASSES.get(err.get("class"), CommandError)
    return cls(err.get("class"), err.get("desc", ""), command)


def _arguments(arguments, kwargs):
    """Merges keyword arguments (at_op -> "at-op") into the arguments object."""
    args = dict(arguments or {})
    for key, value in kwargs.items():
        args[key.replace("_", "-")] = value
    return args


def _matches(msg, name, device, predicate):
    """True when the event msg is called name (None: any) of device (None: any)."""
    if name is not None and msg.get("event") != name:
        return False
    data = msg.get("data") or {}
    if device is not None and data.get("device") != device:
        return False
    return predicate is None or bool(predicate(data))


class Expectation:
    """What client.expect() yields: after the with block, event and data hold the match."""

    def __init__(self, client, name, device, predicate, timeout):
        self.client = client
        self.name = name
        self.device = device
        self.predicate = predicate
        self.timeout = timeout
        self.since = None
        self.event = None

    @property
    def data(self):
        """The matched event's data (None before the with block ended)."""
        return None if self.event is None else self.event.get("data", {})

    def __enter__(self):
        self.client.subscribe()
        self.since = self.client.last_seq()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.event = self.client.wait_for(self.name, self.predicate, self.timeout,
                                              device=self.device, since=self.since, full=True)
        return False


class Client:
    """One connection to brownoutd's control socket.

    path: the socket (default $BROWNOUT_SOCKET, else brownout.sock); timeout: seconds allowed
    for connecting and for each reply. The greeting's "brownout" object is in greeting.
    """

    #: How many events the client keeps for later waits (the oldest go first).
    HISTORY = 65536

    def __init__(self, path=None, timeout=10.0):
        self.path = path or os.environ.get("BROWNOUT_SOCKET", "brownout.sock")
        self.timeout = timeout
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(self.path)
        except OSError:
            self._sock.close()
            raise
        self._buf = b""
        self._next_id = 1
        self._replies = {}
        self._events = collections.deque(maxlen=self.HISTORY)
        self._seq = 0
        self._cursor = 0
        self._filter = None
        self.subscribed = False
        self.shutdown = None
        greeting = self._read(time.monotonic() + timeout)
        if not isinstance(greeting.get("brownout"), dict):
            self.close()
            raise ProtocolViolation("not a brownoutd greeting: %r" % (greeting,))
        self.greeting = greeting["brownout"]

    # ---- Connection. ----

    def close(self):
        """Closes the connection (safe twice)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    @property
    def version(self):
        """The daemon's version from the greeting."""
        return self.greeting.get("version")

    @property
    def capabilities(self):
        """The daemon's capabilities from the greeting."""
        return list(self.greeting.get("capabilities", []))

    def _read(self, deadline):
        """Reads one message; raises WaitTimeout at deadline (None: the connection timeout)."""
        while b"\n" not in self._buf:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise WaitTimeout("nothing from the daemon in time")
            self._sock.settimeout(left if left is not None else self.timeout)
            try:
                chunk = self._sock.recv(65536)
            except socket.timeout:
                raise WaitTimeout("nothing from the daemon in time") from None
            if not chunk:
                raise ConnectionClosed("the daemon closed the connection")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            msg = json.loads(line)
        except ValueError:
            raise ProtocolViolation("not JSON: %r" % line[:200]) from None
        if not isinstance(msg, dict):
            raise ProtocolViolation("not a JSON object: %r" % line[:200])
        return msg

    def _pump(self, deadline):
        """Reads one message and files it: an event into the history, a reply by its id."""
        msg = self._read(deadline)
        if "event" in msg:
            if msg["event"] == "SHUTDOWN":
                self.shutdown = msg
            if self._filter is None or msg["event"] == "SHUTDOWN" or self._filter(msg):
                self._seq += 1
                self._events.append((self._seq, msg))
            return
        self._replies[json.dumps(msg.get("id"))] = msg

    # ---- Commands. ----

    def send(self, name, arguments=None, **kwargs):
        """Sends a command without waiting; returns its id (for reply())."""
        req_id = self._next_id
        self._next_id += 1
        req = {"execute": name, "id": req_id}
        args = _arguments(arguments, kwargs)
        if args:
            req["arguments"] = args
        self.send_line(json.dumps(req))
        return req_id

    def send_line(self, line):
        """Sends one raw line (a str or bytes without its newline), as typed."""
        if isinstance(line, str):
            line = line.encode()
        self._sock.sendall(line + b"\n")

    def reply(self, req_id, timeout=None):
        """The whole reply object of the request req_id (None: a reply without id)."""
        key = json.dumps(req_id)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while key not in self._replies:
            self._pump(deadline)
        return self._replies.pop(key)

    def execute(self, name, arguments=None, timeout=None, **kwargs):
        """Runs one command and returns its "return" value; raises CommandError's subclass of
        the error class on an error reply. Keyword arguments become arguments with hyphens:
        execute("power-cut", device="dev0", at_op=12)."""
        msg = self.reply(self.send(name, arguments, **kwargs), timeout)
        if "error" in msg:
            raise error_from_reply(msg, name)
        return msg.get("return")

    def raw(self, line, timeout=None):
        """Sends one raw line and returns the next reply that has no id (the whole object)."""
        self.send_line(line)
        return self.reply(None, timeout)

    # ---- Events. ----

    def subscribe(self, events=None, device=None, predicate=None):
        """Subscribes to events (once; later calls only change the filter). With events (names),
        device or predicate (of the data), the client keeps only the events that match."""
        if events is not None or device is not None or predicate is not None:
            names = None if events is None else ({events} if isinstance(events, str)
                                                  else set(events))
            self._filter = lambda m: ((names is None or m["event"] in names) and
                                      _matches(m, None, device, predicate))
        if not self.subscribed:
            self.execute("events", enable=True)
            self.subscribed = True
        return self

    def last_seq(self):
        """The sequence number of the last event received (a mark for wait_for(since=))."""
        return self._seq

    def mark(self):
        """Forgets the events received so far for the next wait_for() calls; returns the mark."""
        self._cursor = self._seq
        return self._seq

    def history(self, name=None, device=None):
        """The events kept so far (whole objects), optionally of one name or device."""
        return [m for _, m in self._events if _matches(m, name, device, None)]

    def _find(self, name, device, predicate, after):
        for seq, msg in self._events:
            if seq > after and _matches(msg, name, device, predicate):
                return seq, msg
        return None

    def wait_for(self, event, predicate=None, timeout=30.0, device=None, since=None, full=False):
        """Waits for the event called event (of device; predicate(data) true) and returns its
        data (full: the whole event object).

        Looks at the events received after since (a mark from last_seq()), by default after
        the event the previous wait_for() returned: an event that arrived before this call is
        found. Raises WaitTimeout, or DaemonShutdown if SHUTDOWN came first."""
        if not self.subscribed:
            self.subscribe()
        after = self._cursor if since is None else since
        deadline = time.monotonic() + timeout
        while True:
            found = self._find(event, device, predicate, after)
            if found is not None:
                self._cursor = max(self._cursor, found[0])
                return found[1] if full else found[1].get("data", {})
            if self.shutdown is not None and event != "SHUTDOWN":
                raise DaemonShutdown("the daemon shut down before %s" % event)
            try:
                self._pump(deadline)
            except WaitTimeout:
                raise WaitTimeout("no %s%s within %.1f s" % (
                    event, " of " + device if device else "", timeout)) from None

    def expect(self, event, device=None, predicate=None, timeout=30.0):
        """A context manager: subscribes, runs the with block, then waits for the event (sent
        after the block began). The yielded Expectation has event and data afterwards."""
        return Expectation(self, event, device, predicate, timeout)
