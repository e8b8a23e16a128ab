"""A simulated TCP connection that carries bytes between two sans-IO engines.

The connection is the in-memory network's driver of two engines (see
docs/architecture.md): it feeds the bytes one engine wants to send to the
other after the link latency, records the server engine's transcript as
trace Steps, and plays the TLS handshake when both engines await it (the
bytes after STARTTLS are shown in plain text, marked as travelling inside
TLS).  It uses only the :class:`~simulator.protocols.Engine` contract.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.locale import t

from ..protocols import Engine, RemoteProtocolError
from ..trace import Where

#: RFC 5321 §4.5.3.2 lets a client wait minutes for the greeting; the
#: simulation gives up on an unreachable host after this many seconds.
CONNECT_TIMEOUT = 30.0

#: Ports where TLS starts with the connection, before any protocol word (RFC 8314 §3.3).
IMPLICIT_TLS_PORTS = (465, 993, 995)


#: Client-side notes worth a step of their own: what the client decided that the
#: server never sees.
CLIENT_CONCLUSIONS = frozenset({"smtp.client.downgraded", "smtp.client.binary_encoded",
                                "smtp.client.lines_encoded",
                                "smtp.client.needs_smtputf8", "smtp.client.needs_smtputf8_headers",
                                "smtp.client.needs_8bitmime", "smtp.client.needs_binarymime"})


class Connection:
    """One client engine talking to one server engine across the topology."""

    def __init__(self, net, conn_id: str, client: str, server: str, port: int, protocol: str,
                 client_engine: Engine, server_engine: Engine,
                 on_close: Callable[[Connection], None] | None = None, *,
                 think: Callable[[bytes], float] | None = None,
                 on_idle: Callable[[Connection], None] | None = None,
                 connect_explain: str = "net.connect") -> None:
        self.net, self.id = net, conn_id
        self.client, self.server, self.port, self.protocol = client, server, port, protocol
        self.client_engine, self.server_engine = client_engine, server_engine
        self.on_close = on_close
        # A person behind a mail reader takes time before some commands (reading
        # before QUIT): ``think`` gives those extra seconds.  ``on_idle`` hears that
        # the client read a reply and has nothing more to say (a script that ends
        # without QUIT); the driver may then break the connection with drop().
        self.think, self.on_idle = think, on_idle
        self.connect_explain = connect_explain      # the connect step's text names the ports
        self.tls = False
        self.closed = False
        self._delay = 0.0

    # -- opening and closing -------------------------------------------------
    def open(self) -> bool:
        """Start the TCP handshake; False (and a recorded timeout) if unreachable."""
        path = self.net.topology.path(self.client, self.server)
        if path is None or not self.net.listens(self.server, self.port):
            self._fail_unreachable(path is None)
            return False
        self._delay = self.net.latency * (len(path) - 1)
        self.net.recorder.internal(self.client, "TCP", f"connect {self.server}:{self.port}",
                                   self.connect_explain, dst=self.server, conn=self.id,
                                   params={"host": self.server, "port": self.port,
                                           "path": " → ".join(path)},
                                   port=self.port, path=path)
        self.net.scheduler.after(self._delay, self._server_starts)
        return True

    def _fail_unreachable(self, no_path: bool) -> None:
        reason = "net.unreachable" if no_path else "net.refused"
        self.net.recorder.internal(self.client, "TCP", f"connect {self.server}:{self.port} — failed",
                                   reason, dst=self.server, conn=self.id,
                                   params={"host": self.server, "port": self.port,
                                           "timeout": CONNECT_TIMEOUT})
        self.closed = True
        self.net.scheduler.after(CONNECT_TIMEOUT if no_path else self.net.latency,
                                 self._notify_close)

    def _server_starts(self) -> None:
        if self.port in IMPLICIT_TLS_PORTS:      # TLS first, then the greeting (RFC 8314 §3.3)
            self.tls = True
            self.net.recorder.internal(self.client, "TLS", "TLS handshake", "net.tls_implicit",
                                       dst=self.server, conn=self.id, params={"port": self.port})
        self._feed_server(self.server_engine.initiate)
        self._pump_server()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.net.recorder.internal(self.client, "TCP", f"close {self.server}:{self.port}",
                                   "net.close", dst=self.server, conn=self.id)
        self._notify_close()

    def drop(self) -> None:
        """The client vanishes without a goodbye: the server reads end-of-stream.

        The server engine records what that means for it (RFC 1939 §6: a POP3
        session that never reached UPDATE deletes nothing); no close is recorded.
        """
        if self.closed:
            return
        self.closed = True
        self._feed_server(lambda: self.server_engine.receive_data(b""))
        self.server_engine.data_to_send()        # nobody is left to read it
        self._notify_close()

    def _notify_close(self) -> None:
        if self.on_close:
            self.on_close(self)

    # -- moving bytes ------------------------------------------------------------
    def _pump_server(self) -> None:
        data = self.server_engine.data_to_send()
        if data:
            self.net.scheduler.after(self._delay, self._to_client, data)
        self._after_exchange()

    def _pump_client(self) -> None:
        # The server's view of the bytes is the one recorded; of the client's own
        # transcript only its conclusions that no byte shows are kept (e.g. an 8-bit
        # message converted before MAIL, RFC 6152 §3).
        for note in self.client_engine.take_transcript():
            if note.direction == "internal" and note.explain in CLIENT_CONCLUSIONS:
                line = t(f"event.{note.explain}", "en", **note.params)   # the trace's words
                self.net.recorder.internal(self.client, self.protocol, line, note.explain,
                                           dst=self.server, conn=self.id, params=note.params)
        data = self.client_engine.data_to_send()
        if data:
            wait = self.think(data) if self.think else 0.0
            self.net.scheduler.after(self._delay + wait, self._to_server, data)
        elif self.on_idle and not self._finished() and not self.client_engine.awaiting_tls:
            self.on_idle(self)
        self._after_exchange()

    def _to_server(self, data: bytes) -> None:
        if self.closed:
            return
        self._feed_server(lambda: self.server_engine.receive_data(data))
        self._pump_server()

    def _to_client(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            self.client_engine.receive_data(data)
        except RemoteProtocolError as err:
            self._protocol_error(err)
            return
        self._pump_client()

    def _protocol_error(self, err: RemoteProtocolError) -> None:
        """The server's bytes made no sense to the client: it hangs up at once."""
        self.net.recorder.internal(self.client, "TCP", f"protocol error: {err}",
                                   "net.protocol_error", dst=self.server, conn=self.id,
                                   params={"error": str(err)})
        self.drop()

    def _feed_server(self, feed: Callable[[], Any],
                     annotate: Callable[[list], list] | None = None) -> None:
        """Let the server engine act, recording its transcript as trace Steps.

        ``annotate`` may add what only the driver knows (e.g. the notes of an
        IMAP completion that overtook earlier commands) before recording.
        """
        meta: dict[str, Any] = {"port": self.port}
        if self.tls:
            meta["tls"] = True
        take = self.server_engine.take_transcript
        transcript = (lambda: annotate(take())) if annotate else take
        self.net.recorder.exchange(feed, transcript,
                                   Where(self.id, self.client, self.server, self.protocol, meta))

    def _after_exchange(self) -> None:
        if self._both_want_tls():
            self._handshake()
        elif self._finished():
            self.net.scheduler.after(self._delay, self.close)

    def _finished(self) -> bool:
        return self.closed or self.client_engine.closed or self.server_engine.closed

    # -- TLS (simulated: the handshake is an internal step, bytes stay readable) ---
    def _both_want_tls(self) -> bool:
        return (not self.tls and self.server_engine.awaiting_tls
                and self.client_engine.awaiting_tls)

    def _handshake(self) -> None:
        self.tls = True
        self.net.recorder.internal(self.client, "TLS", "TLS handshake", "net.tls",
                                   dst=self.server, conn=self.id)
        self._feed_server(self.server_engine.tls_started)
        self.client_engine.tls_started()
        self.net.scheduler.after(2 * self._delay, self._pump_client)

