"""Questions to a trace: which command each reply answers, and exchanges.

A reply step's ``answers`` is the index of the command step it answers.
:class:`ReplyLinker` finds it as steps are added, protocol by protocol:

* SMTP, POP3 and POP2 answer commands in the order they were sent, also when
  the client pipelines them (RFC 2920 §3.1, RFC 2449 §6.8).  An intermediate
  SMTP reply (334, 354) answers the command without ending it: the client's
  next line (the message, a SASL response) belongs to it, and the final reply
  (250 after the dot, 235) answers the same command (RFC 5321 §4.1.1.4).
* FTP answers in order too; its 1yz replies are preliminary (RFC 959 §4.2):
  150 says the data connection opened, and the final 226 (or 426) that
  follows answers the same LIST, RETR or STOR.
* IMAP names the command by its tag: a completion carries its tag, and the
  server's untagged data and ``+`` continuations carry the tag of the command
  it was running (RFC 9051 §2.2.2); a ``+`` without one answers the command
  being sent.

An :class:`Exchange` is one command with all its replies; ``Trace.exchanges``,
``Trace.find`` and ``Trace.filter`` select them by command name, reply code,
connection or protocol.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .trace import Step

#: Client steps that continue the command being answered (no reply of their own
#: opens): the message after 354, a SASL response after 334 or ``+``, IDLE's DONE.
CONTINUATIONS = frozenset({
    "smtp.data.content", "smtp.auth.response",
    "imap.cmd.sasl_response", "imap.cmd.DONE", "imap.cmd.idle_garbage",
})
#: Client-side events that no reply answers (the peer hung up, bytes discarded).
UNANSWERED = frozenset({
    "smtp.tls.discarded", "smtp.conn.peer_closed", "pop3.event.dropped",
    "pop2.event.dropped", "imap.event.dropped",
})
#: IMAP client steps whose tag is only in the line (not parsed into params).
_IMAP_TAG_IN_LINE = frozenset({
    "imap.cmd.bad_syntax", "imap.cmd.literal_announced", "imap.cmd.literal_too_big",
})
_IMAP_STATUSES = ("OK", "NO", "BAD", "BYE", "PREAUTH")


def command_name(step: Step) -> str | None:
    """The command a client step sends, upper-case (``RCPT``, ``UID FETCH``), else None."""
    if step.direction != "c2s" or step.explain in CONTINUATIONS | UNANSWERED:
        return None
    name = step.params.get("verb") or step.params.get("name") or step.params.get("method")
    if name:
        return str(name).upper()
    words = step.line.split(None, 2)
    if step.protocol == "IMAP" and len(words) > 1:
        return words[1].upper()
    return words[0].upper() if words and step.protocol in ("SMTP", "POP3", "POP2") else None


def reply_code(step: Step) -> int | str | None:
    """A server step's reply code: ``250`` (SMTP, FTP and HTTP, an int), ``"+OK"``/``"-ERR"``
    (POP3), ``"OK"``/``"NO"``/``"BAD"``/``"BYE"`` (IMAP status responses), ``"+"`` (a
    continuation request); None for IMAP data and other steps."""
    if step.direction != "s2c":
        return None
    if "code" in step.params and step.protocol == "SMTP":
        return int(step.params["code"])
    if step.protocol == "HTTP" and "status" in step.params:      # 404, like SMTP's codes
        return int(step.params["status"])
    words = step.line.split(None, 2)
    if not words:
        return None
    if step.protocol == "IMAP":
        if words[0] == "+":
            return "+"
        status = step.params.get("status") or (words[1].upper() if len(words) > 1 else "")
        return status if status in _IMAP_STATUSES else None
    if step.protocol == "POP3":
        return words[0] if words[0] in ("+OK", "-ERR", "+") else None
    if step.protocol == "POP2":
        return step.line[:1] if step.line[:1] in "+-#=" and step.line else None
    if step.protocol in ("SMTP", "FTP") and words[0][:3].isdigit():
        return int(words[0][:3])     # "211-Features:" is 211 (a multi-line reply, RFC 959 §4.2)
    return None


def code_matches(actual: int | str | None, wanted: int | str | Iterable | None) -> bool:
    """``wanted`` is a code (``452``, ``"NO"``), a class (``"4xx"``) or several of them."""
    if wanted is None:
        return True
    if isinstance(wanted, (list, tuple, set, frozenset)):
        return any(code_matches(actual, w) for w in wanted)
    if actual is None:
        return False
    text, want = str(actual).upper(), str(wanted).upper()
    if len(want) == 3 and want.endswith("XX"):
        return text[:1] == want[:1] and text.isdigit()
    return text == want


@dataclass
class _Conn:
    fifo: list[int] = field(default_factory=list)       # SMTP/POP: commands not yet answered
    tags: dict[str, int] = field(default_factory=dict)  # IMAP: tag -> its command step
    last_command: int | None = None                     # the latest command sent


class ReplyLinker:
    """Finds, step by step, which command each server reply answers."""

    def __init__(self) -> None:
        self._conns: dict[str, _Conn] = {}

    def link(self, step: Step) -> int | None:
        """The index of the command ``step`` answers (None if it answers none).

        Call it once for every step of a trace, in order.
        """
        if step.conn is None or step.direction == "internal" or step.explain in UNANSWERED:
            return None
        conn = self._conns.get(step.conn)
        if conn is None:                        # made once per connection, not per step
            conn = self._conns[step.conn] = _Conn()
        if step.direction == "c2s":
            self._sent(conn, step)
            return None
        if step.protocol == "IMAP":
            return self._imap_reply(conn, step)
        if not conn.fifo:
            return None                         # a greeting or an unsolicited reply
        code = reply_code(step)
        # SMTP's 354 asks for more (RFC 5321 §4.2.1), FTP's 150 announces the 226 to come
        # (RFC 959 §4.2); an HTTP 3xx and an FTP 331 are final answers.
        intermediate = isinstance(code, int) and (
            (step.protocol == "SMTP" and 300 <= code < 400)
            or (step.protocol == "FTP" and 100 <= code < 200))
        return conn.fifo[0] if intermediate else conn.fifo.pop(0)

    def _sent(self, conn: _Conn, step: Step) -> None:
        if step.explain in CONTINUATIONS:
            return
        if step.protocol == "IMAP":
            tag = _imap_tag(step)
            if tag is None:
                return                          # literal octets of the command being sent
            conn.tags.setdefault(tag, step.index)
            conn.last_command = conn.tags[tag]
            return
        conn.fifo.append(step.index)
        conn.last_command = step.index

    @staticmethod
    def _imap_reply(conn: _Conn, step: Step) -> int | None:
        tag = step.params.get("tag")
        kind = step.line[:1]
        if kind not in ("*", "+") and tag is None:
            tag = step.line.split(" ", 1)[0]     # a completion from an older trace
        if tag is not None and str(tag) in conn.tags:
            index = conn.tags[str(tag)]
            if kind not in ("*", "+"):
                del conn.tags[str(tag)]         # completed: the tag may be used again
            return index
        if kind == "+":
            return conn.last_command
        if tag is None and kind == "*":
            # Untagged data without a tag (a trace of format 1): the command running
            # is the oldest one not completed; with none, the data is unsolicited.
            return next(iter(conn.tags.values()), None)
        return None


def _imap_tag(step: Step) -> str | None:
    if "tag" in step.params:
        return str(step.params["tag"])
    if step.explain in _IMAP_TAG_IN_LINE and step.line:
        return step.line.split(" ", 1)[0]
    return None


@dataclass(frozen=True)
class Exchange:
    """One command and every server step that answers it, on one connection.

    ``command`` is None for what no command asked for (a greeting).  ``steps``
    adds the client's own continuation lines (the message after 354, DONE)
    to the command and its replies, in trace order.
    """

    command: Step | None
    replies: tuple[Step, ...]
    steps: tuple[Step, ...]

    @property
    def conn(self) -> str | None:
        return self.steps[0].conn

    @property
    def protocol(self) -> str:
        return self.steps[0].protocol

    @property
    def name(self) -> str | None:
        """The command's name, upper-case (``RCPT``, ``SELECT``, ``UID FETCH``)."""
        return command_name(self.command) if self.command is not None else None

    @property
    def reply(self) -> Step | None:
        """The final reply (the one that ended the command), or None if none came."""
        return self.replies[-1] if self.replies else None

    @property
    def code(self) -> int | str | None:
        """The final reply's code (``452``, ``"+OK"``, ``"NO"``)."""
        return reply_code(self.reply) if self.reply is not None else None

    @property
    def codes(self) -> list[int | str]:
        """Every reply code in order: ``[354, 250]`` for DATA."""
        return [c for c in (reply_code(r) for r in self.replies) if c is not None]

    @property
    def time(self) -> float:
        return self.steps[0].time

    def matches(self, *, command: str | None = None, code: Any = None,
                conn: str | None = None, protocol: str | None = None) -> bool:
        """True if the exchange has all the given properties; ``code`` matches any reply."""
        return ((command is None or (self.name or "") == command.upper())
                and (conn is None or self.conn == conn)
                and (protocol is None or self.protocol == protocol.upper())
                and (code is None or any(code_matches(c, code) for c in self.codes)))

    def __str__(self) -> str:
        """The exchange as a transcript: ``C:`` lines from the client, ``S:`` from the server."""
        lines = [f"{'C' if s.direction == 'c2s' else 'S'}: {s.line}" for s in self.steps]
        return "\n".join(lines)

    def __repr__(self) -> str:
        codes = " ".join(map(str, self.codes)) or "-"
        return f"<Exchange {self.conn} {self.name or '(no command)'} -> {codes}>"


def exchanges(steps: Iterable[Step]) -> Iterator[Exchange]:
    """Group steps into exchanges, in the order their commands (or replies) appear."""
    groups: dict[tuple[str, int], list[Step]] = {}
    announced: dict[tuple[str, str], tuple[str, int]] = {}
    current: dict[str, tuple[str, int]] = {}   # conn -> the exchange a client line continues
    for step in steps:
        key = _group(step, announced, current)
        if key is not None:
            groups.setdefault(key, []).append(step)
    for key, group in groups.items():
        command = group[0] if key[1] >= 0 else None
        replies = tuple(s for s in group if s.direction == "s2c")
        yield Exchange(command, replies, tuple(group))


def _group(step: Step, announced: dict, current: dict) -> tuple[str, int] | None:
    """The exchange ``step`` belongs to, as (conn, index of its command)."""
    conn = step.conn
    if conn is None or step.direction == "internal" or step.explain in UNANSWERED:
        return None
    if step.direction == "s2c":
        key = (conn, step.answers if step.answers is not None else -1 - step.index)
    elif step.explain in CONTINUATIONS or (step.protocol == "IMAP" and _imap_tag(step) is None):
        return current.get(conn)                # the message after 354, DONE, literal octets
    else:
        key = (conn, step.index)
        if step.protocol == "IMAP":             # a literal's announcement began this command
            tag = _imap_tag(step)
            key = announced.pop((conn, tag), key)
            if step.explain == "imap.cmd.literal_announced":
                announced[(conn, tag)] = key
    current[conn] = key
    return key
