"""The command parser: a framed command into tag, name and typed arguments.

RFC 3501 §2.2.1 / RFC 9051 §2.2.1: every client command starts with a
*tag*, a short identifier the client chooses, so that it can match the
server's completion response to the command even when several commands are
in flight.  Then comes the command name and its arguments.  ``UID`` is a
prefix that makes ``UID FETCH`` etc. a command of its own (§6.4.8).

The helpers below check one argument each (astring, mailbox, sequence set,
flag list, date) and raise :class:`ParseError`, which the session answers
with a tagged BAD.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .framing import CommandText
from .lexer import Lexer, ParseError
from .sequence import SequenceSet, parse_sequence_set
from .types import NIL, Atom, Literal, Quoted, as_text

#: RFC 3501 §9: tag = 1*<any ASTRING-CHAR except "+">; no ( ) { SP CTL % * " \.
_TAG = re.compile(rb'[^\x00-\x20\x7f-\xff(){%*"\\+]+')
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
SYSTEM_FLAGS = ("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft")
_KEYWORD = re.compile(r"[!#$&'+\-.0-9:;<=>?@A-Z^_`a-z|}~\[]+")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})")
_DATE_TIME = re.compile(r"([ \d]\d)-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)")


class BadTag(ParseError):
    """The tag is missing or has characters a tag may not have: answered untagged."""


@dataclass(slots=True)
class Command:
    """One parsed command.  ``name`` is upper-case and includes ``UID`` for UID forms.

    A value nobody changes; not frozen because a frozen dataclass costs four times as
    much to make, and every command line makes one.
    """

    tag: str
    name: str
    args: tuple
    raw: bytes

    @property
    def uid(self) -> bool:
        return self.name.startswith("UID ")

    @property
    def base(self) -> str:
        """The name without the UID prefix: FETCH for both FETCH and UID FETCH."""
        return self.name.removeprefix("UID ")


def parse_tag(line: bytes) -> str:
    """The tag of a command line, or BadTag (RFC 3501 §9 ``tag``)."""
    tag = line.split(b" ", 1)[0]
    if not _TAG.fullmatch(tag):
        raise BadTag("syntax.bad_tag", tag=tag.decode("utf-8", "replace")[:40])
    return tag.decode("ascii")


def parse_command(frame: CommandText) -> Command:
    """Tag, name (with UID folded in) and argument values of one framed command."""
    tag = parse_tag(frame.parts[0])
    lexer = Lexer(frame.parts, frame.literals)
    lexer.pos = len(tag)
    if not lexer.space():
        raise ParseError("syntax.missing_command", tag=tag)
    name = _name(lexer)
    if name == "UID":
        if not lexer.space():
            raise ParseError("syntax.missing_command", tag=tag)
        name = "UID " + _name(lexer)
    args = tuple(lexer.values()) if lexer.space() else ()
    if not lexer.at_end():
        raise ParseError("syntax.trailing", column=lexer.pos)
    return Command(tag, name, args, frame.raw)


def _name(lexer: Lexer) -> str:
    word = lexer.value()
    if not isinstance(word, Atom) or not _NAME.fullmatch(word):
        raise ParseError("syntax.bad_command_name", name=shown(word))
    return word.upper()


# -- argument helpers ---------------------------------------------------------

def arity(args: tuple, low: int, high: int | None = None) -> None:
    """Check the number of arguments (``high`` None: no upper bound)."""
    if len(args) < low or (high is not None and len(args) > high):
        raise ParseError("syntax.arguments", low=low, high=high if high is not None else "∞")


def astring(value: object) -> str:
    """An atom or string (RFC 3501 §9 ``astring``); NIL counts as the atom "NIL"."""
    if value is NIL:
        return "NIL"
    if isinstance(value, Literal) and value.binary:
        raise ParseError("syntax.literal8")          # only APPEND takes a literal8 (RFC 3516 §4.4)
    if isinstance(value, (Atom, Quoted, Literal)):
        return as_text(value)
    raise ParseError("syntax.expected_string", got=shown(value))


def mailbox(value: object) -> str:
    """A mailbox name; INBOX in any case means INBOX (RFC 3501 §5.1)."""
    name = astring(value)
    return "INBOX" if name.upper() == "INBOX" else name


def sequence_set(value: object) -> SequenceSet:
    if not isinstance(value, Atom):
        raise ParseError("syntax.bad_sequence", value=shown(value))
    return parse_sequence_set(value)


def number(value: object) -> int:
    if not (isinstance(value, Atom) and value.isdigit() and len(value) <= 10):
        raise ParseError("syntax.expected_number", got=shown(value))
    return int(value)


def flag(value: object) -> str:
    """A system flag (canonical spelling) or a keyword (RFC 3501 §2.3.2).

    ``NIL`` here is the keyword "NIL": RFC 3501 §9 ``flag-keyword = atom`` and
    "NIL" is a valid atom; only where the grammar says ``nil`` is it nothing.
    """
    if value is NIL:
        return "NIL"
    if not isinstance(value, Atom):
        raise ParseError("syntax.bad_flag", flag=shown(value))
    if value.startswith("\\"):
        for system in SYSTEM_FLAGS:
            if system.lower() == value.lower():
                return system
        raise ParseError("syntax.bad_flag", flag=value)
    if not _KEYWORD.fullmatch(value):
        raise ParseError("syntax.bad_flag", flag=value)
    return str(value)


def flag_list(value: object) -> list[str]:
    """``(\\Seen $Work)`` or a single flag."""
    items = value if isinstance(value, list) else [value]
    return [flag(item) for item in items]


def search_date(value: object) -> datetime:
    """``1-Feb-1994`` (RFC 3501 §9 ``date``), quoted or not; the date only."""
    text = astring(value)
    match = _DATE.fullmatch(text)
    if not match or match.group(2).title() not in MONTHS:
        raise ParseError("syntax.bad_date", value=text)
    day, month, year = int(match.group(1)), MONTHS.index(match.group(2).title()) + 1, int(match.group(3))
    try:
        return datetime(year, month, day)
    except ValueError:
        raise ParseError("syntax.bad_date", value=text) from None


def date_time(value: object) -> datetime:
    """``"17-Jul-1996 02:44:25 -0700"`` (RFC 3501 §9 ``date-time``), always quoted."""
    if not isinstance(value, Quoted):
        raise ParseError("syntax.bad_date", value=shown(value))
    match = _DATE_TIME.fullmatch(value)
    if not match or match.group(2).title() not in MONTHS:
        raise ParseError("syntax.bad_date", value=str(value))
    day, mon, year, hh, mm, ss, sign, zh, zm = match.groups()
    offset = timedelta(hours=int(zh), minutes=int(zm)) * (-1 if sign == "-" else 1)
    try:
        return datetime(int(year), MONTHS.index(mon.title()) + 1, int(day), int(hh), int(mm),
                        int(ss), tzinfo=timezone(offset))
    except ValueError:
        raise ParseError("syntax.bad_date", value=str(value)) from None


def shown(value: object) -> str:
    """A value as a complaint names it: plain text, at most 40 characters, never a repr."""
    if value is NIL:
        return "NIL"
    if isinstance(value, list):
        return "(...)"
    return str(value)[:40] if not isinstance(value, bytes) else "{literal}"
