"""What a node of the simulated network may use of it: :class:`NodeContext`.

The MTA, the MUA and its mailbox reader, and the POP3, POP2 and IMAP
services do not get the whole :class:`~simulator.network.simulation.Network`
(its topology, its node table, its trace, its construction): each gets this
frozen context, built once by the network, naming exactly what nodes use —
the clock and scheduler, the mail store, the recorder, DNS, the seeded random
source, the run's settings and faults, and the network's few services
(connect, deliver, ids).  ``mailsim serve`` builds the same network on a
real-time scheduler, so its nodes get the same context over the wall clock.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..mail.store import MailStore
    from ..protocols import Engine
    from .connection import Connection
    from .dns import DNS
    from .faults import Faults
    from .recorder import Recorder
    from .result import Bounce


class Timer(Protocol):
    """The scheduler a node puts work on: the simulated one, or serve's real-time one."""

    @property
    def now(self) -> float: ...

    def at(self, time: float, callback: Callable[..., Any], *args: Any) -> None: ...

    def after(self, delay: float, callback: Callable[..., Any], *args: Any) -> None: ...


class Connect(Protocol):
    """Open a connection from ``client`` to ``server:port`` driving ``client_engine``."""

    def __call__(self, client: str, server: str, port: int, protocol: str,
                 client_engine: Engine, on_close: Callable[[Connection], None] | None = None,
                 **hooks: Any) -> Connection: ...


@dataclass
class RunSettings:
    """The run's knobs (the scenario's ``options``); mutable so that a served world
    can be tuned while it runs (a test shortens the retry schedule)."""

    source_routes: str              # RFC 821 source routes: "ignore" or "honour"
    retry_schedule: tuple[float, ...]   # seconds between delivery attempts (RFC 5321 §4.5.4.1)
    pipelining: bool                # clients use PIPELINING when offered (RFC 2920)
    latency: float                  # seconds per link traversal


@dataclass(frozen=True)
class NodeContext:
    """Everything a node uses of the network, typed; nothing else is reachable."""

    scheduler: Timer
    now: Callable[[], float]                    # simulated seconds, as the trace shows them
    now_datetime: Callable[[], datetime]        # the scenario's start time + now
    store: MailStore
    recorder: Recorder
    dns: DNS
    rng: random.Random                          # the run's one seeded random source
    settings: RunSettings
    faults: Faults
    connect: Connect
    listens: Callable[[str, int], bool]         # (host, port): someone accepts there
    address_of: Callable[[str], str | None]     # a host's address, for Received: lines
    deliver: Callable[..., None]     # the MDA: file into INBOX (or Junk when quarantined)
    new_queue_id: Callable[[], str]
    new_message_id: Callable[[str], str]
    bounces: list[Bounce]                       # the run's bounce log (SimulationResult)
    #: callbacks ``(address, folder)`` after each delivery (IMAP servers wake idlers)
    mailbox_watchers: list[Callable[[str, str], None]]
