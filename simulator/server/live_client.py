"""A small blocking line client for a live loopback session (the notebook's protocol console).

The Jupyter console (:mod:`simulator.widgets.console`) lets a student type
commands to ``mailsim serve`` on 127.0.0.1.  Socket code lives only in
:mod:`simulator.server` (docs/architecture.md), so this module is the console's one
door to the network: plain ``socket``, blocking reads with timeouts, used
from a worker thread so the notebook's kernel never waits on the wire.

What counts as the end of a reply is the caller's business (SMTP ends with
``250 ``, POP3 multi-line replies with ``.``, IMAP with the tag): the caller
passes a ``done(lines)`` predicate, and a short quiet period ends a reply
whose end the predicate cannot tell.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Callable

CONNECT_TIMEOUT = 5.0       # seconds to open the connection
REPLY_TIMEOUT = 10.0        # seconds to wait for the whole of one reply
QUIET = 0.4                 # seconds of silence that end a reply of unknown length


class LineClient:
    """One TCP connection that sends CRLF-terminated lines and reads lines back."""

    def __init__(self, host: str, port: int, *, timeout: float = CONNECT_TIMEOUT) -> None:
        self.host, self.port = host, port
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._buffer = b""
        self.closed = False

    def send_line(self, line: str) -> bytes:
        """Send ``line`` with CRLF (RFC 5321 §2.3.8, RFC 1939 §3); returns the bytes sent."""
        data = line.encode("utf-8") + b"\r\n"
        self._sock.sendall(data)
        return data

    def read_reply(self, done: Callable[[list[str]], bool], *, timeout: float = REPLY_TIMEOUT,
                   quiet: float = QUIET) -> list[str]:
        """Lines (without CRLF) until ``done(lines)``, a quiet pause after some, or the timeout."""
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        while not (lines and done(lines)):
            wait = deadline - time.monotonic()
            if wait <= 0:
                break
            line = self._read_line(min(wait, quiet) if lines else wait)
            if line is None:
                if lines or self.closed:
                    break           # silence after some lines, or the server hung up
                continue
            lines.append(line)
        return lines

    def _read_line(self, wait: float) -> str | None:
        """One line, or None if nothing complete arrives within ``wait`` seconds."""
        deadline = time.monotonic() + wait
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return None
            self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                return None
            if not chunk:
                self.closed = True      # the server hung up (after QUIT, or a timeout)
                return None
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\n")
        return raw.rstrip(b"\r").decode("utf-8", "replace")

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        self.closed = True
        try:
            self._sock.close()
        except OSError:
            pass
