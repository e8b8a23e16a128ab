"""The idle timeout of a connection: one lazy timer instead of one per read.

Arming a timer for every wait and cancelling it when the client's bytes
arrive costs, for a short SMTP session, seven timers made and dropped: a few
per cent of the server's CPU.  Here a wait only notes when it began; the
connection's one timer, when it fires, checks whether the current wait has
lasted the whole timeout and otherwise sleeps for the rest.
(RFC 5321 §4.5.3.2.7, RFC 1939 §3 and RFC 9051 §5.4 set the timeouts.)

The watch holds its connection (through ``expire``) and the connection
holds the watch: a reference cycle.  :meth:`IdleWatch.stop` lets go of
``expire``, so that once a connection is over its objects (engine,
transport, buffers: some twenty per short SMTP session) are freed by
reference counting at once.  Left to the cyclic collector, they cost a
collection every few hundred sessions, about 40 µs per short session.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable


class IdleWatch:
    """Calls ``expire`` once the client has kept the server waiting ``seconds`` (see above)."""

    def __init__(self, seconds: float, loop: asyncio.AbstractEventLoop,
                 expire: Callable[[], None]) -> None:
        self.seconds = seconds
        self._loop = loop
        self._expire: Callable[[], None] | None = expire     # None once stopped
        self._handle: asyncio.TimerHandle | None = None
        self._since: float | None = None      # when the current wait began, None: no wait

    def begin(self) -> None:
        """The server now waits for the client (the timer is armed only if none is)."""
        if self._expire is None:
            return                  # the connection is over: nothing to watch
        self._since = self._loop.time()
        if self._handle is None:
            self._handle = self._loop.call_at(self._since + self.seconds, self._check)

    def end(self) -> None:
        """The server is busy on the client's behalf: that time is not the client's idling."""
        self._since = None

    def stop(self) -> None:
        """The connection is over: no timer stays behind, no reference to the connection."""
        self._since = None
        self._expire = None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        self._handle = None
        if self._since is None:
            return                  # not waiting now: the next wait arms the timer again
        deadline = self._since + self.seconds
        if deadline > self._loop.time():
            self._handle = self._loop.call_at(deadline, self._check)
            return
        self._since = None
        self._expire()          # not None: stop() cancels this timer
