"""The engine contract, and what every sans-IO engine shares to meet it.

Every protocol engine (SMTP, POP3, POP2 and IMAP, client and server side)
is an :class:`Engine`: a driver feeds it bytes with :meth:`Engine.receive_data`
and writes out :meth:`Engine.data_to_send`; it never touches a socket or a
clock.  An engine records each line (or block) it receives or sends as an
:class:`Utterance` with its state before and after and a key into the ru/en
explanation texts.  Drivers (the simulated network, the loopback server, the
notebook console) turn utterances into trace Steps, so engines never know
about time or nodes.  ``docs/architecture.md`` shows where this sits.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

#: The state every engine with STARTTLS/STLS enters after the server said yes
#: and before the handshake is done (RFC 3207 §4, RFC 2595 §4, RFC 9051 §6.2.1).
TLS_STATE = "TLS"


class ProtocolError(Exception):
    """Base of the two protocol errors (the h11 split): drivers catch this one."""


class LocalProtocolError(ProtocolError):
    """Our own side (the driver) tried something the protocol forbids in its current state."""


class RemoteProtocolError(ProtocolError):
    """The peer broke the protocol in a way the engine cannot answer and go on.

    The engine is closed when it raises this; the driver drops the connection.
    """


class Event:
    """Base of every event an engine returns from ``initiate``/``receive_data``.

    Every event is a value nobody changes once made, declared ``@dataclass(slots=True)``
    and not frozen, like :class:`Utterance`: a server makes one per command, and a
    frozen dataclass sets each field through ``object.__setattr__``, which makes it
    about 2.5 times as costly to build.
    """


@dataclass(slots=True)
class TLSRequested(Event):
    """The peers agreed on STARTTLS/STLS: the driver must run the TLS handshake and
    then call ``tls_started()`` (RFC 3207 §4.2, RFC 2595 §4, RFC 9051 §6.2.1)."""


@dataclass(slots=True)
class ConnectionClosed(Event):
    """The session is over; ``reason`` says why ("quit", "peer-closed", "logout" …)."""

    reason: str


@runtime_checkable
class Engine(Protocol):
    """What every protocol engine offers its driver, with the same types everywhere.

    * ``initiate()`` — the engine's first words (a server's greeting; a client,
      which waits for the greeting, says nothing): the events it caused.
    * ``receive_data(data)`` — bytes from the peer, ``b""`` at end of stream;
      returns the :class:`Event` objects they caused.  Raises
      :class:`RemoteProtocolError` when the peer's bytes make going on impossible.
    * ``data_to_send()`` — bytes to write, since the last call.
    * ``take_transcript()`` — the :class:`Utterance` list since the last call.
    * ``state`` — the current state's name (a ``str``; some engines use a str-Enum).
    * ``closed`` — the session is over: the driver closes the connection.
    * ``awaiting_tls`` — the engine agreed to STARTTLS/STLS and waits for the handshake.
    * ``tls_started()`` — the driver finished that handshake (raises
      :class:`LocalProtocolError` if the engine was not awaiting it).
    """

    @property
    def state(self) -> str: ...

    @property
    def closed(self) -> bool: ...

    @property
    def awaiting_tls(self) -> bool: ...

    def initiate(self) -> list[Event]: ...

    def receive_data(self, data: bytes) -> list[Event]: ...

    def data_to_send(self) -> bytes: ...

    def take_transcript(self) -> list[Utterance]: ...

    def tls_started(self) -> None: ...


Handler = TypeVar("Handler", bound=Callable[..., Any])


class CommandTable(dict[Hashable, Handler]):
    """One engine's handlers, each registered once with ``@TABLE.command(KEY, ...)``.

    This is the one registration style of every engine.  A server's key is a
    command verb (``"MAIL"``, ``"RETR"``, ``"UID FETCH"``); a client's is what
    it is reacting to (the state whose reply it awaits, an untagged response's
    name).  A handler is a method of the engine or a function that takes the
    engine first; the engine calls ``TABLE[key](self, ...)``.  The table is a
    dict filled once, when its module is imported: a session pays one dict
    lookup per command and nothing when it is created, and a key registered
    twice fails at import.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def command(self, *keys: Hashable) -> Callable[[Handler], Handler]:
        """Register the decorated handler under each of ``keys`` (aliases share one)."""
        def register(handler: Handler) -> Handler:
            for key in keys:
                if key in self:
                    raise ValueError(f"{self.name}: {key!r} registered twice")
                self[key] = handler
            return handler
        return register


@dataclass(frozen=True)
class Transition:
    """Where a command leads in a state table: after a success and after a failure.

    Success is ``+OK`` in POP3/POP2 and a tagged ``OK`` in IMAP; failure is
    ``-ERR`` or ``NO`` (a ``BAD`` never moves a session, RFC 9051 §7.1.3).
    """

    on_ok: str
    on_failure: str


@dataclass(slots=True)
class Utterance:
    """One line or block on the wire, as the engine that handled it saw it.

    A value nobody changes once made (``dataclasses.replace`` makes a new one).  Not
    a frozen dataclass: engines make one per line, and a frozen one costs four times
    as much to make (an IMAP FETCH 1:* makes one per message).
    """

    direction: str            # "c2s", "s2c", or "internal" (e.g. the TLS handshake done)
    raw: bytes
    state_before: str
    state_after: str
    explain: str              # locale key, e.g. "smtp.cmd.MAIL"
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def line(self) -> str:
        """The bytes decoded for display, without the final line break."""
        return self.raw.decode("utf-8", "replace").rstrip("\r\n")


class EngineOutput:
    """The driver-facing half that every engine shares.

    An engine appends the bytes it wants sent to ``_out`` and records each
    line it reads or writes with :meth:`_transcribe`; the driver collects both
    with :meth:`data_to_send` and :meth:`take_transcript`.  A subclass sets
    ``state`` and says when it is ``closed``; :attr:`awaiting_tls` follows from
    the state (:data:`TLS_STATE`).
    """

    state: str

    def __init__(self) -> None:
        self._out = bytearray()
        self._transcript: list[Utterance] = []

    @property
    def closed(self) -> bool:
        raise NotImplementedError

    @property
    def awaiting_tls(self) -> bool:
        """Whether STARTTLS/STLS was agreed and the driver must run the handshake."""
        return self.state == TLS_STATE

    def initiate(self) -> list[Event]:
        """The engine's first words; a client waits for the server's greeting (none)."""
        return []

    def tls_started(self) -> None:
        """The driver finished the TLS handshake; only valid while :attr:`awaiting_tls`."""
        raise LocalProtocolError(f"tls_started() in state {self.state}: no STARTTLS here")

    def data_to_send(self) -> bytes:
        """Bytes to write to the peer since the last call (then forgotten)."""
        out = bytes(self._out)
        self._out.clear()
        return out

    def take_transcript(self) -> list[Utterance]:
        """Utterances recorded since the last call (then forgotten)."""
        out, self._transcript = self._transcript, []
        return out

    def _transcribe(self, direction: str, raw: bytes, before: Any, after: Any,
                explain: str, params: Mapping[str, Any] | None = None) -> None:
        self._transcript.append(Utterance(direction, raw, str(before), str(after),
                                          explain, dict(params or {})))


#: The control characters a command line may not hold (HT is allowed).
CONTROLS = bytes(c for c in range(0x20) if c != 0x09) + b"\x7f"


def has_control(line: bytes) -> bool:
    """Whether a command line holds a control character (HT aside) before its line end.

    Commands are printable text (RFC 5321 §4.1.2, RFC 1939 §3); a lone CR
    breaks the line rule (RFC 5321 §2.3.8), and a server that echoed such a
    byte in its reply would break the reply and the terminal that shows it.
    """
    ending = 2 if line.endswith(b"\r\n") else 1 if line.endswith(b"\n") else 0
    # Deleting every control character (one pass in C, cheaper than a regex search on a
    # short line) removes the line end and nothing else from a clean line.
    return len(line) - len(line.translate(None, CONTROLS)) != ending


@dataclass(frozen=True)
class TooLong:
    """A line longer than the limit: its first bytes and its total length."""

    prefix: bytes
    length: int


class LineBuffer:
    """Splits a byte stream into LF-terminated lines with a length limit.

    Lines come back with their terminator so that callers can tell CRLF from
    a bare LF (RFC 5321 §2.3.8, RFC 1939 §3).  A line longer than ``max_line``
    octets (terminator included) is discarded up to its LF and reported once
    as :class:`TooLong`, so a flood cannot grow memory without bound.
    """

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self._buf = bytearray()
        self._discarding: int | None = None   # bytes dropped so far of an overlong line
        self._prefix = b""

    def feed(self, data: bytes) -> None:
        self._buf += data

    def next_line(self) -> bytes | TooLong | None:
        """The next complete line, a TooLong marker, or None if more bytes are needed."""
        if not self._buf:
            return None     # all read: a session asks once more after each input's last line
        end = self._buf.find(b"\n")
        if self._discarding is not None:
            return self._continue_discarding(end)
        if end < 0:
            if len(self._buf) > self.max_line:
                self._start_discarding()
            return None
        if end + 1 > self.max_line:
            self._start_discarding()
            return self.next_line()
        if end + 1 == len(self._buf):
            # The usual case (a client that waits for each reply sends one line at a time):
            # the buffer is the line, taken whole without a slice copied first (90 ns a line).
            line = bytes(self._buf)
            self._buf.clear()
            return line
        line = bytes(self._buf[: end + 1])
        del self._buf[: end + 1]
        return line

    def take_rest(self) -> bytes:
        """Everything buffered but not yet returned (for a switch of framing)."""
        rest = bytes(self._buf)
        self._buf.clear()
        return rest

    def _start_discarding(self) -> None:
        self._prefix = bytes(self._buf[:80])
        self._discarding = 0

    def _continue_discarding(self, end: int) -> TooLong | None:
        if end < 0:
            self._discarding += len(self._buf)
            self._buf.clear()
            return None
        length = self._discarding + end + 1
        del self._buf[: end + 1]
        self._discarding = None
        return TooLong(self._prefix, length)

    @property
    def pending(self) -> int:
        """How many bytes wait for their line end."""
        return len(self._buf)


class CatalogueReply(Protocol):
    """A reply from an engine's catalogue (its ``replies.py``): the bytes it sends, the key
    of its explanation, and the values that filled its text."""

    @property
    def wire(self) -> bytes: ...

    @property
    def explain(self) -> str: ...

    @property
    def params(self) -> Mapping[str, Any]: ...


class LineServer(EngineOutput):
    """A server engine that reads one command line at a time (POP3, POP2, FTP).

    Subclasses say what a line means (``_handle``), what a dropped
    connection does (``_dropped``) and when the session is over (``closed``);
    the reading loop, the event queue, the refusal of unreadable lines and the
    sending of catalogue replies are the same for all of them.
    """

    def __init__(self, max_line: int) -> None:
        super().__init__()
        self._lines = LineBuffer(max_line)
        self._events: list[Event] = []

    def receive_data(self, data: bytes) -> list[Event]:
        """Handle received bytes; ``b""`` means the client closed the connection."""
        if self.closed:
            return []
        if not data:
            self._dropped()
            return self._take_events()
        self._lines.feed(data)
        self._read_lines()
        return self._take_events()

    def _read_lines(self) -> None:
        """Handle each complete line while :meth:`_reading` says commands are read."""
        while self._reading() and (line := self._lines.next_line()) is not None:
            self._handle(line)

    def _reading(self) -> bool:
        """Whether command lines are read now: until the session is over."""
        return not self.closed

    def _take_events(self) -> list[Event]:
        out, self._events = self._events, []
        return out

    def _refuse_unreadable(self, line: bytes | TooLong, state: str, protocol: str,
                           reply: Callable[..., CatalogueReply]) -> bool:
        """Answer a line over the length limit or with a control character by the
        catalogue's ``line_too_long`` or ``control_char`` reply, before anything parses
        it (RFC 5321 §4.5.3.1.4, RFC 1939 §3); whether the line was refused.  The
        explanations are ``<protocol>.cmd.too_long`` and ``<protocol>.cmd.control_char``."""
        if isinstance(line, TooLong):
            self._transcribe("c2s", line.prefix, state, state, f"{protocol}.cmd.too_long",
                             {"length": line.length})
            self._send_reply(reply("line_too_long", length=line.length), state, state)
            return True
        if has_control(line):
            self._transcribe("c2s", line, state, state, f"{protocol}.cmd.control_char")
            self._send_reply(reply("control_char"), state, state)
            return True
        return False

    def _send_reply(self, answer: CatalogueReply, before: str, after: str) -> None:
        """Send ``answer`` and transcribe it under its own explanation."""
        self._out += answer.wire
        self._transcribe("s2c", answer.wire, before, after, answer.explain, answer.params)

    def _handle(self, line: bytes | TooLong) -> None:
        raise NotImplementedError

    def _dropped(self) -> None:
        raise NotImplementedError
