"""A deterministic discrete-event scheduler: simulated time, no wall clock.

Events run in order of (time, order of scheduling), so the same scenario and
seed always give the same sequence of events and a byte-identical trace.
"""
from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any


class Scheduler:
    """A priority queue of callbacks keyed by simulated time in seconds."""

    def __init__(self) -> None:
        self.now = 0.0
        self._queue: list[tuple[float, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._order = itertools.count()

    def at(self, time: float, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` at simulated ``time`` (never in the past)."""
        heapq.heappush(self._queue, (max(time, self.now), next(self._order), callback, args))

    def after(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` ``delay`` seconds from now (now, if ``delay`` < 0)."""
        # What at() does, without a second call: every byte a connection sends comes here.
        now = self.now
        heapq.heappush(self._queue, (now + delay if delay > 0 else now, next(self._order),
                                     callback, args))

    def run(self, until: float | None = None, max_events: int = 1_000_000) -> int:
        """Run events in order until none are left (or ``until``); returns how many ran.

        ``max_events`` guards against a scenario that loops forever (for
        example two MTAs that relay a message back and forth).
        """
        count = 0
        queue = self._queue
        while queue and count < max_events:
            time, _, callback, args = queue[0]
            if until is not None and time > until:
                break
            heapq.heappop(queue)
            self.now = time
            callback(*args)
            count += 1
        if count >= max_events:
            raise SimulationLimit(f"stopped after {max_events} events: the scenario does not settle")
        return count

    @property
    def pending(self) -> int:
        return len(self._queue)


class SimulationLimit(RuntimeError):
    """The simulation ran more events than allowed (a mail loop, usually)."""
