"""The client's reader of server responses (RFC 3501 §7, RFC 9051 §7).

A server line is one of three kinds: a *tagged* completion (``A1 OK ...``),
an *untagged* response (``* 3 EXISTS``, ``* OK [UIDNEXT 7] ...``) or a
*continuation request* (``+ ...``).  Responses may carry literals
(``BODY[] {300}`` and then 300 octets), so the same framer the server uses
for commands (:class:`~.framing.CommandReader`) cuts the byte stream into
whole responses and the same lexer reads their values: literals are handled
in one place for both directions.  A server never waits for ``+`` before
sending a literal, so the framer's "continuation needed" is ignored here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .._base import Event
from .framing import CommandReader, CommandText, LineTooLong, LiteralTooBig
from .lexer import Lexer, ParseError
from .types import Atom

STATUSES = frozenset({"OK", "NO", "BAD", "BYE", "PREAUTH"})
#: Responses are not limited like commands: a FETCH of headers can be long.
MAX_RESPONSE_LINE = 1 << 20
MAX_RESPONSE_LITERAL = 1 << 28
_CODE = re.compile(r"\[([^\]]*)\]\s*")


@dataclass(slots=True)
class ServerResponse(Event):
    """One whole response as the client understood it (the client engine's event)."""

    kind: str                      # "tagged", "untagged" or "continuation"
    raw: bytes
    tag: str | None = None
    status: str | None = None      # OK / NO / BAD / BYE / PREAUTH of a status response
    number: int | None = None      # the n of "* n EXISTS", "* n FETCH ..."
    name: str = ""                 # EXISTS, FETCH, SEARCH, LIST, OK, ...
    values: list = field(default_factory=list)   # lexed values after the name (data)
    text: str = ""                 # human-readable text of a status response
    code: str | None = None        # the response code in [...], e.g. "UIDNEXT 7"

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    @property
    def line(self) -> str:
        return self.raw.decode("utf-8", "replace").split("\r\n", 1)[0]


class ResponseReader:
    """Bytes in, :class:`ServerResponse` objects out."""

    def __init__(self) -> None:
        self._frames = CommandReader(MAX_RESPONSE_LINE, MAX_RESPONSE_LITERAL)

    def feed(self, data: bytes) -> None:
        self._frames.feed(data)

    def responses(self) -> list[ServerResponse]:
        """Every response completed by the bytes fed so far."""
        out = []
        while (frame := self._frames.next_frame()) is not None:
            if isinstance(frame, CommandText):
                out.append(parse_response(frame))
            elif isinstance(frame, (LineTooLong, LiteralTooBig)):
                out.append(ServerResponse("untagged", b"", name="TOOBIG"))
            # A ContinuationNeeded frame is skipped: the literal's octets follow anyway.
        return out


def parse_response(frame: CommandText) -> ServerResponse:
    """Tag, kind and values of one framed response (RFC 3501 §9 ``response``)."""
    first = frame.parts[0]
    if first.startswith(b"+"):
        return ServerResponse("continuation", frame.raw, text=_decode(first[1:]).strip())
    tag, _, rest = first.partition(b" ")
    word, _, after = rest.partition(b" ")
    status = _decode(word).upper()
    if tag != b"*":
        return _status(frame, "tagged", _decode(tag), status, after)
    if status in STATUSES:
        return _status(frame, "untagged", None, status, after)
    return _data(frame)


def _status(frame: CommandText, kind: str, tag: str | None, status: str,
            rest: bytes) -> ServerResponse:
    """A status response: its text is free-form, so it is not lexed (RFC 3501 §7.1)."""
    text = _decode(rest)
    code = None
    match = _CODE.match(text)
    if match:
        code, text = match.group(1), text[match.end():]
    return ServerResponse(kind, frame.raw, tag=tag, status=status, name=status,
                          text=text, code=code)


def _data(frame: CommandText) -> ServerResponse:
    """``* [n] NAME values``: EXISTS, EXPUNGE, FETCH, SEARCH, LIST, STATUS, FLAGS ..."""
    lexer = Lexer(frame.parts, frame.literals)
    lexer.pos = 2                                   # after "* "
    try:
        values = lexer.values()
    except ParseError:
        return ServerResponse("untagged", frame.raw, name="UNPARSED")
    number = None
    if values and isinstance(values[0], Atom) and values[0].isdigit():
        number = int(values.pop(0))
    name = str(values.pop(0)).upper() if values and isinstance(values[0], Atom) else ""
    return ServerResponse("untagged", frame.raw, number=number, name=name, values=values)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def fetch_items(values: list) -> dict[str, object]:
    """``(FLAGS (\\Seen) UID 4 RFC822.SIZE 120)`` as ``{"FLAGS": [...], "UID": "4", ...}``.

    The names are upper-cased; ``BODY.PEEK[...]`` is answered as ``BODY[...]``
    (RFC 3501 §7.4.2), so that is the key a client looks for.
    """
    items = values[0] if values and isinstance(values[0], list) else []
    return {str(items[i]).upper(): items[i + 1] for i in range(0, len(items) - 1, 2)}


def code_number(code: str | None, name: str) -> int | None:
    """The number in a response code such as ``UIDNEXT 7`` (None if another code)."""
    if not code:
        return None
    word, _, rest = code.partition(" ")
    return int(rest) if word.upper() == name and rest.isdigit() else None


def esearch(values: list) -> tuple[str | None, bool, dict[str, object]]:
    """``* ESEARCH (TAG "A1") UID MIN 2 ALL 2:4,9 COUNT 4`` (RFC 4731 §3.2, RFC 9051 §7.3.4)
    as ``("A1", True, {"MIN": 2, "ALL": [2, 3, 4, 9], "COUNT": 4})``."""
    tag, uid, out = None, False, {}
    items = list(values)
    if items and isinstance(items[0], list):
        correlator = items.pop(0)
        if len(correlator) == 2 and str(correlator[0]).upper() == "TAG":
            tag = str(correlator[1])
    if items and str(items[0]).upper() == "UID":
        uid = True
        items.pop(0)
    for name, value in zip(items[::2], items[1::2]):
        key, text = str(name).upper(), str(value)
        if key == "ALL":
            out[key] = expand(text)
        elif text.isascii() and text.isdigit():     # MIN, MAX, COUNT: a number or nothing
            out[key] = int(text)
    return tag, uid, out


#: The most numbers one range of an ESEARCH ALL may stand for (far above any mailbox here).
MAX_EXPANDED = 1_000_000


def expand(text: str) -> list[int]:
    """``2:4,9`` as ``[2, 3, 4, 9]`` (a sequence set without ``*``, RFC 9051 §9)."""
    numbers: list[int] = []
    for item in text.split(","):
        low, _, high = item.partition(":")
        if low.isdigit() and (high or low).isdigit():
            a, b = sorted((int(low), int(high or low)))
            if b - a < MAX_EXPANDED:     # "1:4294967295" from a broken server: not 4e9 ints
                numbers.extend(range(a, b + 1))
    return numbers
