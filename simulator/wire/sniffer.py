"""The sniffer's view: what a passive observer on the path captures of a connection.

A function of a trace, through :func:`simulator.wire.flows` (the same writes and
the same simulated TLS records as the pcap export):

- in clear (POP3 on 110, SMTP on 25 without STARTTLS, IMAP on 143) every octet is
  readable, and the credentials in it are found and decoded: ``USER``/``PASS``
  (RFC 1939 §7), ``AUTH PLAIN`` (base64 is an encoding, not encryption: RFC 4616,
  RFC 4954 §4), ``AUTH LOGIN``, IMAP ``LOGIN`` (RFC 9051 §6.2.3) and
  ``AUTHENTICATE PLAIN``; APOP puts no password on the wire but a digest and the
  greeting's timestamp, enough for an offline dictionary attack (RFC 1939 §7, §13;
  see :mod:`simulator.wire.apop`);
- with implicit TLS (465, 993, 995; RFC 8314) only the handshake is readable —
  the server's name (SNI) — then record types, sizes and times;
- with STARTTLS/STLS the clear-text prefix up to the upgrade, then records.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..protocols.imap.framing import CommandText
from ..protocols.imap.lexer import ParseError
from ..protocols.imap.parser import astring, parse_command
from ..protocols.pop3.parser import greeting_timestamp
from ..protocols.sasl_plain import MalformedPlain, decode_plain
from ..protocols.smtp.sasl import b64decode_text
from .flows import Flow, Write, flows

if TYPE_CHECKING:
    from ..trace import Trace


@dataclass(frozen=True)
class Secret:
    """A credential readable on the wire.

    ``kind`` is ``password`` or ``apop_digest``; ``how`` the command that carried
    it (``USER/PASS``, ``AUTH PLAIN``, ``AUTH LOGIN``, ``LOGIN``, ``AUTHENTICATE
    PLAIN``, ``APOP``); ``value`` the decoded password or the digest; ``start`` and
    ``end`` the octets of the capture that carry it (base64 as sent, for SASL);
    ``timestamp`` the APOP greeting's ``<…>``.
    """

    kind: str
    how: str
    user: str | None
    value: str
    step: int
    start: int
    end: int
    timestamp: str | None = None


@dataclass(frozen=True)
class Capture:
    """One write as the observer captures it: readable octets, or only TLS records."""

    time: float
    direction: str
    data: bytes                                  # every octet captured
    readable: bool                               # in clear: the octets are the dialogue
    records: tuple[tuple[str, int], ...] = ()    # (record type, length field) of each
    handshake: bool = False
    secrets: tuple[Secret, ...] = ()
    steps: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class SnifferView:
    """What an observer captured of one connection (:func:`sniff`)."""

    conn: str
    client: str
    server: str
    port: int | None
    protocol: str | None
    mode: str                                    # "clear", "starttls" or "implicit"
    sni: str | None
    captures: tuple[Capture, ...]

    @property
    def secrets(self) -> list[Secret]:
        return [s for c in self.captures for s in c.secrets]

    def observed(self) -> bytes:
        """Every octet the observer captured, both directions, in order."""
        return b"".join(c.data for c in self.captures)

    def readable(self) -> bytes:
        """The octets the observer can read as text (before any TLS)."""
        return b"".join(c.data for c in self.captures if c.readable)

    @property
    def hidden_octets(self) -> int:
        """Octets that travelled inside TLS records after the handshake."""
        return sum(c.size for c in self.captures if not c.readable and not c.handshake)


def sniff(trace: Trace, conn: str | None = None) -> list[SnifferView]:
    """The sniffer's view of every connection of ``trace`` (or of ``conn`` only)."""
    return [_view(flow, trace) for flow in flows(trace)
            if flow.failed is None and (conn is None or flow.conn == conn)]


def _view(flow: Flow, trace: Trace) -> SnifferView:
    mode = "clear" if flow.tls_at is None else "implicit" if flow.implicit_tls else "starttls"
    finder = _Finder(flow.protocol or "")
    captures = []
    for n, write in enumerate(flow.writes):
        readable = flow.tls_at is None or n < flow.tls_at
        secrets = finder.scan(write, trace) if readable else ()
        captures.append(Capture(write.time, write.direction, write.data, readable,
                                tuple((r.kind, r.length) for r in write.records),
                                write.handshake, tuple(secrets), write.steps))
    return SnifferView(flow.conn, flow.client, flow.server, flow.port, flow.protocol, mode,
                       flow.sni, tuple(captures))


class _Finder:
    """Finds credentials in the client's clear-text lines, following SASL exchanges.

    Only octets are read (what the observer has): the steps of a write are its
    lines, in order.
    """

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self.timestamp: str | None = None        # the APOP greeting's <…>
        self.user: str | None = None
        self.sasl: list[str] = []                # the responses still expected: user/password

    def scan(self, write: Write, trace: Trace) -> list[Secret]:
        found, offset = [], 0
        for index in write.steps:
            raw = trace[index].raw
            line = raw.split(b"\r\n", 1)[0]
            if write.direction == "s2c":
                if self.timestamp is None and self.protocol == "POP3":
                    self.timestamp = greeting_timestamp(line.decode("utf-8", "replace"))
            else:
                found += [Secret(s.kind, s.how, s.user, s.value, index, offset + s.start,
                                 offset + s.end, s.timestamp) for s in self._line(line)]
            offset += len(raw)
        return found

    def _line(self, line: bytes) -> list[Secret]:
        text = line.decode("utf-8", "replace")
        if self.sasl:
            return self._sasl_response(text)
        if self.protocol == "IMAP":
            return self._imap(line, text)
        verb, _, rest = text.partition(" ")
        verb = verb.upper()
        if verb == "USER":
            self.user = rest
        elif verb == "PASS":
            return [_secret("password", "USER/PASS", self.user, rest, text, rest)]
        elif verb == "APOP":
            user, _, digest = rest.partition(" ")
            return [_secret("apop_digest", "APOP", user, digest, text, digest,
                            timestamp=self.timestamp)]
        elif verb == "AUTH":
            return self._sasl_start(text, rest)
        return []

    def _imap(self, line: bytes, text: str) -> list[Secret]:
        try:
            command = parse_command(CommandText([line]))
        except (ParseError, IndexError, ValueError):
            return []
        if command.name == "LOGIN" and len(command.args) == 2:
            user, password = (astring(a) for a in command.args)
            return [_secret("password", "LOGIN", user, password, text,
                            text.rpartition(" ")[2])]
        if command.name == "AUTHENTICATE" and command.args:
            rest = text.split(" ", 2)[2] if text.count(" ") >= 2 else ""
            return self._sasl_start(text, rest, how="AUTHENTICATE")
        return []

    def _sasl_start(self, text: str, rest: str, how: str = "AUTH") -> list[Secret]:
        mechanism, _, initial = rest.partition(" ")
        mechanism = mechanism.upper()
        self.how = f"{how} {mechanism}"
        self.sasl = {"PLAIN": ["plain"], "LOGIN": ["user", "password"]}.get(mechanism, [])
        return self._sasl_response(initial, text) if initial and self.sasl else []

    def _sasl_response(self, b64: str, text: str | None = None) -> list[Secret]:
        """One base64 response of a PLAIN or LOGIN exchange (RFC 4954 §4)."""
        text = b64 if text is None else text
        want = self.sasl.pop(0)
        if b64.strip() == "*":                   # the client cancelled
            self.sasl = []
            return []
        try:
            if want == "plain":
                message = decode_plain(b64)
                return [_secret("password", self.how, message.authcid, message.password,
                                text, b64.strip())]
            value = b64decode_text(b64)
        except (MalformedPlain, ValueError):
            self.sasl = []
            return []
        if want == "user":
            self.user = value
            return []
        return [_secret("password", self.how, self.user, value, text, b64.strip())]


def _secret(kind: str, how: str, user: str | None, value: str, line: str, token: str, *,
            timestamp: str | None = None) -> Secret:
    """A secret whose octets are ``token``, the last occurrence of it in ``line``."""
    head = line[:line.rfind(token)] if token and token in line else line
    start = len(head.encode("utf-8"))
    return Secret(kind, how, user, value, -1, start, start + len(token.encode("utf-8")),
                  timestamp)
