"""POP3 and POP2 servers of the simulated network: the MDA's mailboxes, served.

A host with the role ``pop3`` listens on 110 (RFC 1939 §3), one with
``pop2`` on 109 (RFC 937).  Each connection gets a fresh sans-IO server
engine over :class:`~simulator.mail.maildrop.StoreMaildrop`, so both
protocols read the same mailboxes the MDA delivers into and share its
maildrop lock: a POP2 session excludes a POP3 one and the other way round.
"""
from __future__ import annotations

from ..mail.maildrop import StoreMaildrop
from ..protocols.pop2 import PORT as POP2_PORT
from ..protocols.pop2 import POP2Config, POP2Server
from ..protocols.pop3 import PORT as POP3_PORT
from ..protocols.pop3 import PORT_TLS as POP3_PORT_TLS
from ..protocols.pop3 import POP3Config, POP3Server
from ..scenarios.model import Host
from .context import NodeContext
from .service import Service

#: Process ids of the simulated server processes: one per connection, as a
#: forking POP3 daemon has, drawn from the run's seeded random source.
_PID_RANGE = (1000, 32768)


class POP3Service(Service):
    """The POP3 server of one host: APOP timestamps and STLS offered (RFC 2595)."""

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.net = net
        self.name = host.name.lower()
        self.backend = StoreMaildrop(net.store)

    def ports(self) -> tuple[int, ...]:
        return (POP3_PORT, POP3_PORT_TLS)

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> POP3Server:
        # On 995 the connection is TLS from its first octet: no STLS to offer (RFC 8314 §3.3).
        implicit = port == POP3_PORT_TLS
        config = POP3Config(hostname=self.name, apop_timestamp=self.apop_timestamp(),
                            stls=not implicit, implicit_tls=implicit)
        return POP3Server(config, self.backend, session_id=f"{self.name}/{conn_id}")

    def apop_timestamp(self) -> str:
        """``<pid.clock@host>`` as RFC 1939 §7 suggests: new for every connection.

        The pid comes from the seeded random source and the clock is the
        simulated Unix time, so the same seed gives a byte-identical greeting.
        """
        pid = self.net.rng.randrange(*_PID_RANGE)
        clock = int(self.net.now_datetime().timestamp())
        return f"<{pid}.{clock}@{self.name}>"


class POP2Service(Service):
    """The POP2 server of one host (RFC 937), kept for comparison with POP3."""

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.name = host.name.lower()
        self.backend = StoreMaildrop(net.store)

    def ports(self) -> tuple[int, ...]:
        return (POP2_PORT,)

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> POP2Server:
        return POP2Server(POP2Config(hostname=self.name), self.backend,
                          session_id=f"{self.name}/{conn_id}")
