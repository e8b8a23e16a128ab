"""The cyclic garbage collector's settings for a server that runs for hours.

CPython frees almost every object of a session by reference counting; its
cyclic collector is only needed for the few reference cycles (a task and its
exception, a session and its handler).  Yet it runs every 700 new container
objects, and each such run may grow into a walk of the whole heap: the
modules, the scenario, the world, the live trace's ring and the mailboxes.
Under ``mailsim serve`` that was about 100 µs CPU per short SMTP session, a
quarter of the engine's whole work (``make bench``, section ``smtp``).

So, once the world is built, the objects made at start-up move out of the
collector's sight (``gc.freeze``: they live as long as the server anyway),
and the young generation is collected every :data:`YOUNG_THRESHOLD` new
objects instead of 700.  Cycles are still collected, in larger batches.
"""
from __future__ import annotations

import gc

#: New container objects between two collections of the youngest generation.
YOUNG_THRESHOLD = 20_000


def settle_after_start() -> None:
    """Freeze the start-up heap and collect young objects less often (see above)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
