"""Sharing the one event loop fairly between connections.

Every connection runs its engine on the server's single asyncio loop, so
the time an engine spends on a command is time no other client gets.  Two
rules keep one client from starving the rest (issue 16, item 11):

- the driver hands the engine one command at a time and lets the loop run
  between two commands (so a greeting or a reply to someone else goes out);
- each connection has a budget of engine time, a token bucket: it may burst
  up to ``burst`` seconds, then earns ``share`` seconds per second.  A client
  that keeps the engine busier than that waits for its budget to refill,
  while everyone else goes on.  The driver charges it once per time slice
  of engine seconds (where a client with more commands waiting yields its
  turn anyway), not after every command.
"""
from __future__ import annotations

import time
from collections.abc import Callable

#: At most half the loop, on average, for one connection; a short burst is free.
DEFAULT_SHARE = 0.5
DEFAULT_BURST = 0.25


class EngineTimeBudget:
    """A token bucket of engine seconds for one connection."""

    def __init__(self, share: float = DEFAULT_SHARE, burst: float = DEFAULT_BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.share, self.burst, self._clock = share, burst, clock
        self._tokens = burst
        self._updated = clock()

    def spend(self, seconds: float) -> float:
        """Charge ``seconds`` of engine time; how long to pause before the next command."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.share)
        self._updated = now
        self._tokens -= seconds
        if self._tokens >= 0:
            return 0.0
        return -self._tokens / self.share
