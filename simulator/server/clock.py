"""The network's scheduler on the wall clock: the asyncio loop runs the callbacks.

:class:`simulator.network.scheduler.Scheduler` runs simulated time as fast as
it can; ``mailsim serve`` needs the same interface (``now``, ``at``,
``after``) in real seconds so that the MTA's queue, its retries (RFC 5321
§4.5.4.1) and the links' latency happen while a student watches.

Callbacks due "now" (``after(0, …)``) wait in a list that :meth:`settle`
runs: the socket driver calls it inside an exchange, so an MDA delivery
triggered by DATA is on disk before the 250 reply is written (RFC 5321
§6.1: the 250 takes responsibility for the message).
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any


class RealTimeScheduler:
    """``now`` is seconds since the server started; callbacks run on ``loop``."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._start = loop.time()
        self._stamped = (None, 0.0)     # the loop's last time and its trace_time (see there)
        self._due: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self._settle_soon = False       # a settle waits for the loop's next turn
        self._handles: set[asyncio.TimerHandle] = set()
        #: The latest failures of scheduled callbacks (bounded: a server runs for days).
        self.errors: deque[BaseException] = deque(maxlen=100)

    @property
    def now(self) -> float:
        return self.loop.time() - self._start

    def trace_time(self) -> float:
        """:attr:`now` to the microsecond, as trace steps show it: the recorder's clock.

        ``round(seconds, 6)``, which the simulation's clock uses, formats the number
        in decimal to round it; a server stamping each line of each session multiplies.

        uvloop's ``loop.time()`` moves once a millisecond, while a short SMTP session
        asks for the time nine times in a fraction of that: the last reading's stamp is
        kept and given again while the loop's time has not moved (the same number, the
        same float object).  170 -> 90 ns a stamp (timeit), and the steps of the exchanges
        recorded in one millisecond share their time instead of keeping a float each
        in the live trace's ring.
        """
        now = self.loop.time()
        last, stamp = self._stamped
        if now != last:
            stamp = round((now - self._start) * 1e6) / 1e6
            self._stamped = now, stamp
        return stamp

    def at(self, time: float, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` at ``time`` seconds after the start (never in the past)."""
        self.after(time - self.now, callback, *args)

    def after(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` ``delay`` seconds from now (0: at the next :meth:`settle`)."""
        if delay <= 0:
            self._due.append((callback, args))
            if not self._settle_soon:
                # One settle at the loop's next turn runs all that is due by then; the
                # driver's exchanges usually settle first (the MDA's delivery before the
                # 250), so one per turn, not one per message, is plenty.
                self._settle_soon = True
                self.loop.call_soon(self._settle_now)
            return
        handle: asyncio.TimerHandle | None = None

        def fire() -> None:
            self._handles.discard(handle)
            self._run(callback, args)
            self.settle()
        handle = self.loop.call_later(delay, fire)
        self._handles.add(handle)

    def _settle_now(self) -> None:
        self._settle_soon = False
        self.settle()

    def settle(self) -> int:
        """Run every callback that is due now, including those they schedule; how many ran."""
        count = 0
        while self._due:
            callback, args = self._due.pop(0)
            self._run(callback, args)
            count += 1
        return count

    def _run(self, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        # One failing node must not take the whole server down: keep the error
        # for the operator (``serve`` prints them) and go on.
        try:
            callback(*args)
        except Exception as exc:
            self.errors.append(exc)
            logging.getLogger("mailsim.server").exception("scheduled callback failed")

    def cancel_all(self) -> None:
        """Forget every pending timer (the server stops)."""
        for handle in list(self._handles):
            handle.cancel()
        self._handles.clear()
        self._due.clear()

    @property
    def pending(self) -> int:
        return len(self._handles) + len(self._due)
