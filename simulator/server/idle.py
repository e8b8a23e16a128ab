"""The idle timeout of a connection: one lazy timer instead of one per read.

``asyncio.timeout()`` around every read arms a timer and cancels it again
when the read returns: for a short SMTP session, seven timers made and
dropped, a few per cent of the server's CPU.  Here a read only notes when it
began; the connection's one timer, when it fires, checks whether the
current read has lasted the whole timeout and otherwise sleeps for the
rest.  An expired read is cancelled as ``asyncio.timeout`` would do it.
(RFC 5321 §4.5.3.2.7, RFC 1939 §3 and RFC 9051 §5.4 set the timeouts.)
"""
from __future__ import annotations

import asyncio


class IdleWatch:
    """Cancels ``task`` once one of its reads has waited ``seconds`` (see above)."""

    def __init__(self, seconds: float, task: asyncio.Task) -> None:
        self.seconds = seconds
        self.expired = False
        self._task = task
        self._loop = task.get_loop()
        self._handle: asyncio.TimerHandle | None = None
        self._since: float | None = None      # when the current read began, None: no read

    def begin(self) -> None:
        """A read begins (the timer is armed only if none is)."""
        self._since = self._loop.time()
        if self._handle is None:
            self._handle = self._loop.call_at(self._since + self.seconds, self._check)

    def end(self) -> None:
        """The read returned (or failed)."""
        self._since = None

    def stop(self) -> None:
        """The connection is over: no timer stays behind."""
        self._since = None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        self._handle = None
        if self._since is None:
            return                  # not reading now: the next read arms the timer again
        deadline = self._since + self.seconds
        if deadline > self._loop.time():
            self._handle = self._loop.call_at(deadline, self._check)
            return
        self.expired = True
        self._task.cancel()
