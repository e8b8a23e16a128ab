"""The switch to TLS of a served connection: implicit TLS and STARTTLS/STLS.

Implicit TLS (RFC 8314 §3) runs the handshake before the greeting; STARTTLS
(RFC 3207 §4, SMTP) and STLS/STARTTLS (RFC 2595 §4, POP3 and IMAP) run it
when the engine has said yes.  Either way the handshake is ``loop.start_tls``
on the connection's own transport, within ``handshake_timeout``, and the
protocol reads the plain text above the TLS layer afterwards.  What the
client sent before the handshake is never fed to the engine inside TLS
(RFC 3207 §4.2, the CVE-2011-0411 class).

:class:`TLSSwitch` is a part of :class:`.driver.LiveConnection`, kept apart
because it is the one place where the transport changes under the protocol.
"""
from __future__ import annotations

import ssl

from .misconfig import handshake_finding

#: Seconds a client has for the TLS handshake (implicit TLS and after STARTTLS).
HANDSHAKE_TIMEOUT = 15.0


class TLSSwitch:
    """The TLS handshakes of a :class:`.driver.LiveConnection` (its attributes and methods)."""

    async def _implicit_tls(self) -> None:
        """Implicit TLS (RFC 8314 §3): the handshake first, within its timeout, then greet.

        The listener accepts plain TCP and the handshake runs here, inside the
        counted connection, so a client that never sends its ClientHello holds
        a slot of the connection limit, and only for ``handshake_timeout``.
        """
        try:
            await self._upgrade(client_first=True)
        except (ConnectionError, ssl.SSLError, TimeoutError, OSError) as exc:
            self._internal("serve.explain.handshake_failed",
                           f"TLS handshake failed: {exc.__class__.__name__}",
                           seconds=f"{self.handshake_timeout:g}")
            finding = handshake_finding(exc, self.service.port)
            if finding is not None:
                self._diagnosis(finding)
            self._close()
            return
        self._greet()

    def _begin_tls(self, reply: bytes) -> None:
        """The engine said yes to STARTTLS/STLS: handshake, then the engine starts afresh.

        Everything the client sent before the handshake is dropped, whether
        the engine or this connection's inbox holds it: RFC 3207 §4.2 and
        RFC 2595 §3.1 say the server discards knowledge obtained from the
        client before TLS, and a command injected in clear text after
        STARTTLS must not run inside TLS (CVE-2011-0411).  The "go ahead"
        reply is written and reading stopped without yielding to the loop in
        between: the ClientHello may follow at once, and it is the TLS
        layer's to read.
        """
        self._flush()
        self.transport.write(reply)
        dropped = len(self._inbox)
        self._inbox = b""
        if dropped:
            self._internal("serve.explain.tls_discarded", f"{dropped} octets dropped before TLS",
                           count=dropped)
        self._wait_for(self._starttls())

    async def _starttls(self) -> None:
        try:
            await self._upgrade()
        except TimeoutError as exc:
            raise ConnectionAbortedError("TLS handshake timed out") from exc
        self._internal("net.tls", "TLS handshake")
        self._feed(self.engine.tls_started)
        self._write(self._collect())

    async def _upgrade(self, client_first: bool = False) -> None:
        """The TLS handshake on this connection; this protocol then reads the plain text.

        ``client_first``: implicit TLS, where the ClientHello comes unasked.
        uvloop starts reading right after ``connection_made`` (a pause asked
        for there is ignored), so the ClientHello may reach this protocol
        before ``start_tls`` puts the TLS layer in its place; it is handed on
        to that layer once the layer is connected, before it reads anything
        itself (:meth:`_hand_over`).
        """
        self._handshaking = True
        starting = self._loop.create_task(self._loop.start_tls(
            self.transport, self, self.tls_context, server_side=True,
            ssl_handshake_timeout=self.handshake_timeout))
        if client_first:
            # start_tls's first step schedules the layer's connection_made, then its
            # resume_reading; one turn later this runs right after both, in the same turn.
            self._loop.call_soon(self._loop.call_soon, self._hand_over)
        try:
            self.transport = await starting
        except BaseException:
            # The transport now belongs to the TLS layer that failed, and asyncio's calls
            # no connection_lost for it: the connection's end is counted on closing.
            self._tls_failed = True
            if self._closed:            # the server stopped during the handshake
                self._ended()
            raise
        finally:
            self._handshaking = False
        self.tls = True
        self._where_cache = None        # the connection's steps say "tls" from now on

    def _hand_over(self) -> None:
        """Give the TLS layer the bytes of its handshake that this protocol received."""
        early, self._inbox = self._inbox, b""
        if not early or self.transport.is_closing():
            return
        tls_layer = self.transport.get_protocol()       # asyncio's and uvloop's are buffered
        rest = memoryview(early)
        while rest:
            buffer = tls_layer.get_buffer(len(rest))
            size = min(len(buffer), len(rest))
            buffer[:size] = rest[:size]
            tls_layer.buffer_updated(size)
            rest = rest[size:]

    def _awaits_tls(self) -> bool:
        return not self.tls and self.engine.awaiting_tls
