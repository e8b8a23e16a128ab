"""What a run produced, as plain data: deliveries, bounces and the final state."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..mail.store import MailStore
from ..trace import Trace


@dataclass(slots=True)
class Delivery:
    """One message put into one mailbox by an MDA (``time``: simulated seconds).

    Like :class:`Bounce`, a value nobody changes once made; not a frozen dataclass,
    which costs about 2.5 times as much to make (an MDA records one per message,
    ``protocols._base.Event`` says why).
    """

    time: float
    host: str
    address: str
    folder: str
    uid: int
    queue_id: str


@dataclass(slots=True)
class Bounce:
    """One recipient an MTA gave up on, as its delivery status notification reports it.

    ``status`` is the RFC 3463 code and ``diagnostic`` the Diagnostic-Code text
    without its type (RFC 3464 §2.3.5, §2.3.6); ``dsn`` is the queue id of the
    notification sent to ``sender``, None when none was sent (the failed message
    was itself a bounce: RFC 5321 §4.5.5).
    """

    time: float
    host: str
    recipient: str
    status: str
    diagnostic: str
    sender: str
    queue_id: str
    dsn: str | None


@dataclass
class SimulationResult:
    """What a run produced: the trace, the mailboxes, the deliveries and the bounces."""

    trace: Trace
    store: MailStore
    deliveries: list[Delivery] = field(default_factory=list)
    bounces: list[Bounce] = field(default_factory=list)
    #: host name → IPv4 address from the zones (a pcap export gives each node its own)
    addresses: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The final state as plain data (JSON-ready, the same for the same seed):
        ``mailboxes`` ({address: {folder: [{uid, flags, size, subject}]}}),
        ``deliveries`` and ``bounces`` (lists of dicts with their fields)."""
        return {"scenario": self.trace.scenario, "seed": self.trace.seed,
                "mailboxes": self.store.snapshot(),
                "deliveries": [asdict(d) for d in self.deliveries],
                "bounces": [asdict(b) for b in self.bounces]}

    def smtp_hops(self) -> list[tuple[str, str]]:
        """(client, server) of every SMTP connection that got a greeting, in order."""
        hops = []
        for conn in self.trace.connections():
            steps = self.trace.filter(conn=conn, protocol="SMTP")
            if steps:
                server = next(s.src for s in steps if s.direction == "s2c")
                client = next(s.dst for s in steps if s.direction == "s2c")
                hops.append((client, server))
        return hops
