"""The SMTP client engine (sans-IO): sends one envelope, reading replies as they come.

The dialogue follows RFC 5321 §3: greeting → EHLO (HELO when EHLO gets 500 or
502, §3.2) → STARTTLS if asked for and offered (RFC 3207) → AUTH if
credentials were given and AUTH is offered (RFC 4954) → MAIL → RCPT for each
recipient → DATA → the dot-stuffed content → QUIT.  With PIPELINING (RFC
2920 §3.1) MAIL, the RCPTs and DATA leave in one write, DATA last, and the
replies are matched to the commands in order.

Each state of :data:`CLIENT_TRANSITIONS` names the command whose reply is
awaited; :mod:`.client_flow` holds what the client does with each reply
(its ``HANDLERS`` table).
"""
from __future__ import annotations

from collections.abc import Sequence

from .._base import LineBuffer, LocalProtocolError, TooLong
from .chunking import CHUNK_SIZE
from .client_flow import HANDLERS, Downgrader, ReplyFlow
from .events import ConnectionClosed, Event, ReplyReceived
from .models import ClientResult, Envelope
from .replies import Reply, class_key
from .states import CLIENT_TRANSITIONS, TLS_DONE, ClientState

#: Reply lines are at most 512 octets (RFC 5321 §4.5.3.1.5); be lenient.
MAX_REPLY_LINE = 4096

__all__ = ["MAX_REPLY_LINE", "ClientResult", "SMTPClient"]


class SMTPClient(ReplyFlow):
    """One client-side SMTP session delivering ``envelope``."""

    def __init__(self, hostname: str, envelope: Envelope, *,
                 credentials: tuple[str, str] | None = None, starttls: bool = False,
                 pipelining: bool = True, retries: Sequence[str] = (),
                 downgrade: Downgrader | None = None, encode_binary: Downgrader | None = None,
                 chunk_size: int = CHUNK_SIZE, shorten_lines: Downgrader | None = None) -> None:
        """``retries``: passwords the user types again after a refused AUTH (RFC 4954 §4
        lets the client try once more), in order; without them a 535 ends the session.
        ``downgrade``: converts 8-bit content for a server without 8BITMIME (RFC 6152 §3),
        see :data:`.client_flow.Downgrader`; without it such mail is returned.
        ``encode_binary``: the same for binary MIME and a server without BINARYMIME
        (RFC 3030 §3). With CHUNKING offered the content goes in BDAT chunks of
        ``chunk_size`` octets (RFC 3030 §2), else after DATA. ``shorten_lines``: re-encodes
        parts with lines over 998 octets (RFC 5321 §4.5.3.1.6, RFC 2045 §6.7)."""
        super().__init__(hostname, envelope, credentials=credentials, starttls=starttls,
                         pipelining=pipelining, retries=retries, downgrade=downgrade,
                         encode_binary=encode_binary, chunk_size=chunk_size,
                         shorten_lines=shorten_lines)
        self._lines = LineBuffer(MAX_REPLY_LINE)
        self._reply_lines: list[bytes] = []

    # ----------------------------------------------------------------- driver API
    @property
    def closed(self) -> bool:
        """After the reply to QUIT, a 421, the server hanging up, or a garbled reply."""
        return self._closed

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes from the server; ``b""`` means the server closed the connection."""
        self._events = []
        if self._closed:
            return []
        if data == b"":
            self._server_closed()
            return self._events
        self._lines.feed(data)
        while not self._closed:
            line = self._lines.next_line()
            if line is None:
                break
            self._reply_line(line)
        return self._events

    def tls_started(self) -> None:
        """The driver finished the TLS handshake: start again with EHLO (RFC 3207 §4.2)."""
        if self.state is not ClientState.TLS:
            was, self.state = self.state, ClientState.ERROR
            raise LocalProtocolError(f"tls_started() needs a 220 to STARTTLS, state was {was}")
        self.secure = self.result.tls = True
        self.result.extensions = {}
        self._transcribe("internal", b"", self.state, CLIENT_TRANSITIONS[self.state][TLS_DONE],
                     "smtp.tls.established", {})
        self._go(TLS_DONE)
        self._stage_command(f"EHLO {self.hostname}", "EHLO")
        self._flush()

    # ------------------------------------------------------------ reading replies
    def _reply_line(self, line: bytes | TooLong) -> None:
        if isinstance(line, TooLong):
            return self._garbage(line.prefix)
        if line[3:4] == b"-":
            self._reply_lines.append(line)
            return                      # a continuation line of a multi-line reply
        raw = line
        if self._reply_lines:           # the last line of a multi-line reply
            raw = b"".join(self._reply_lines) + line
            self._reply_lines = []
        try:
            parsed = Reply.parse(raw.decode("utf-8", "replace"))
        except ValueError:
            return self._garbage(raw)
        self._on_reply(raw, parsed)

    def _on_reply(self, raw: bytes, answer: Reply) -> None:
        before = self.state
        self._events.append(ReplyReceived(str(before), answer))
        if answer.code == 421 and before is not ClientState.QUIT:
            self._service_closing(answer)   # RFC 5321 §3.8: the server is going away
        else:
            HANDLERS[before](self, answer)
        params = {"code": answer.code, "enhanced": answer.enhanced or "",
                  "text": answer.text, "stage": str(before)}
        self._transcribe("s2c", raw, before, self.state, class_key(answer.code), params)
        self._flush()

    def _garbage(self, raw: bytes) -> None:
        self._transcribe("s2c", raw, self.state, ClientState.ERROR, "smtp.client.garbage", {})
        self._fail(self.state.value, None)
        self.state = ClientState.ERROR
        self._finish()
        self._closed = True

    def _server_closed(self) -> None:
        self._transcribe("s2c", b"", self.state, ClientState.DONE, "smtp.conn.peer_closed",
                     {"transaction_lost": not self._finished})
        if not self._finished:
            self._fail(self.state.value, None)
            self._finish()
        self.state = ClientState.DONE
        self._closed = True
        self._events.append(ConnectionClosed("peer-closed"))
