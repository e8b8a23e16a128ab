"""The IMAP server of the simulated network, and its concurrent driver.

A host with the role ``imap`` listens on 143 (RFC 9051 §1).  All of its
connections share one :class:`~simulator.protocols.imap.MailboxHub` and one
:class:`~simulator.mail.imap_backend.StoreBackend`, so a phone and a laptop
on one mailbox see each other's changes, and a message the MDA files is
announced to a client that is idling (RFC 2177) at the simulated moment of
the delivery.

The server engine runs in *concurrent* mode: a command is not answered when
it arrives but queued with a cost (:mod:`simulator.protocols.imap.pipeline`).
:class:`IMAPConnection` turns costs into simulated time — a command starts
as soon as the commands it must wait for have completed and takes
``cost × SECONDS_PER_UNIT`` — so a NOOP sent after a big FETCH completes
first, exactly where RFC 9051 §5.5 allows it, and the trace says why.
"""
from __future__ import annotations

from dataclasses import replace

from ..mail.imap_backend import StoreBackend
from ..protocols.imap import PORT as IMAP_PORT
from ..protocols.imap import IMAPConfig, IMAPServer, MailboxHub
from ..scenarios.model import Host
from .connection import Connection
from .context import NodeContext
from .service import Service

#: Simulated seconds per cost unit: a NOOP (1 unit) takes 2 ms, a 200 KiB body ~0.4 s.
SECONDS_PER_UNIT = 0.002


class IMAPConnection(Connection):
    """A connection whose server completes pipelined commands in simulated time."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._started: set[str] = set()

    # -- the server side: completions on the clock ----------------------------------
    def _to_server(self, data: bytes) -> None:
        if self.closed:
            return
        self._feed_server(lambda: self.server_engine.receive_data(data))
        self._start_ready()
        self._pump_server()

    def _start_ready(self) -> None:
        """Start every queued command that waits for nothing still pending."""
        queue = self.server_engine.pending()
        waiting = {item.tag for item in queue}
        for item in queue:
            if item.tag in self._started or any(t in waiting for t in item.after):
                continue
            self._started.add(item.tag)
            self.net.scheduler.after(item.cost * SECONDS_PER_UNIT, self._complete, item.tag)

    def _complete(self, tag: str) -> None:
        """Run ``tag`` to completion now; note the commands it overtook (RFC 9051 §5.5)."""
        queue = [item.tag for item in self.server_engine.pending()]
        self._started.discard(tag)
        if self.closed or tag not in queue:
            return
        overtook = queue[:queue.index(tag)]
        self._feed_server(lambda: self.server_engine.complete(tag),
                          lambda items: _note_overtaking(items, tag, overtook))
        self._start_ready()
        self._pump_server()

    def flush(self) -> None:
        """Send and record what the hub made an idling session say (RFC 2177)."""
        if self.closed:
            return
        self._feed_server(lambda: None)
        self._pump_server()

    # -- the client side: pauses and IDLE on the clock ----------------------------------
    def _pump_client(self) -> None:
        super()._pump_client()
        timer = self.client_engine.take_timer()
        if timer is not None:
            self.net.scheduler.after(timer, self._timer_fired)

    def _timer_fired(self) -> None:
        if self.closed:
            return
        self.client_engine.timer_fired()
        self._pump_client()


def _note_overtaking(items: list, tag: str, overtook: list[str]) -> list:
    """Add a note to ``tag``'s tagged completion: it finished before earlier commands."""
    if not overtook:
        return items
    prefix = tag.encode() + b" "
    out = []
    for u in items:
        if u.direction == "s2c" and u.raw.startswith(prefix):
            notes = [*u.params.get("notes", ()), "imap.order.overtook"]
            u = replace(u, params={**u.params, "notes": notes, "overtook": ", ".join(overtook)})
        out.append(u)
    return out


class IMAPService(Service):
    """The IMAP server of one host: one hub and one backend for all its connections."""

    driver = IMAPConnection

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.net = net
        self.name = host.name.lower()
        self.backend = StoreBackend(net.store, shared=host.shared)
        self.hub = MailboxHub()
        self.hub.listeners.append(self._woken)
        self._connections: dict[str, IMAPConnection] = {}
        net.mailbox_watchers.append(self.delivered)

    def ports(self) -> tuple[int, ...]:
        return (IMAP_PORT,)

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> IMAPServer:
        """A session in concurrent mode for the network's clock; ``interactive``: not."""
        config = IMAPConfig(hostname=self.name, concurrent=not interactive)
        return IMAPServer(config, self.backend, self.hub, session_id=f"{self.name}/{conn_id}")

    def attach(self, conn: IMAPConnection) -> None:
        """The network tells which connection drives a session (for wake-ups)."""
        self._connections[conn.server_engine.session_id] = conn
        # In a scenario's trace an APPEND shows as line {n}, "+", octets (RFC 3501 §7.5).
        conn.server_engine.announce_literals = True

    def delivered(self, address: str, folder: str) -> None:
        """The MDA filed a message: wake the sessions idling on that mailbox."""
        if not self.hub.watched:
            return                      # nobody has a mailbox selected
        account = self.net.store.find(address)
        if account is not None:
            self.hub.notify(f"{account.address}/{folder}")

    def _woken(self, key: str, session) -> None:
        # The session spoke while another connection (or the MDA) was acting:
        # its bytes go out right after that step, at the same simulated time.
        conn = self._connections.get(session.session_id)
        if conn is not None:
            self.net.scheduler.after(0.0, conn.flush)
