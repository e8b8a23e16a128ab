"""Address lists for ENVELOPE and SEARCH FROM/TO/CC/BCC (RFC 3501 §7.4.2, RFC 5322 §3.4).

ENVELOPE gives each address as ``(name adl mailbox host)`` *as written*
(encoded words stay encoded: the client decodes them), and RFC 3501
§7.4.2 keeps RFC 5322 group syntax: a group starts with
``(NIL NIL "group name" NIL)`` and ends with ``(NIL NIL NIL NIL)``.  The
source route of the obsolete syntax (``<@r1,@r2:user@host>``, RFC 5322
§4.4) is the ``adl``.  The stdlib's public address parser
(``email.utils.getaddresses``) flattens groups and drops routes, and its
full parser decodes encoded words, so the few rules of §3.4 that the
envelope needs are read here: quoted strings, comments (a comment stands
for the name when there is no display name, as in ``user@host (Name)``),
angle addresses, groups.
"""
from __future__ import annotations

from dataclasses import dataclass

#: A mailbox without a domain still needs a host: NIL there would mean "group" (§7.4.2).
MISSING_DOMAIN = "MISSING_DOMAIN"
#: ... and one without a local part a mailbox name, so that no client reads "@host" as
#: half of a group marker; Dovecot writes the same placeholder.
MISSING_MAILBOX = "MISSING_MAILBOX"
_SPECIALS = "<>@,;:"


@dataclass(frozen=True)
class Address:
    """One ENVELOPE address; group start/end are the RFC 3501 §7.4.2 markers."""

    name: str | None
    adl: str | None
    mailbox: str | None
    host: str | None

    @property
    def addr_spec(self) -> str:
        return f"{self.mailbox}@{self.host}" if self.mailbox and self.host else self.mailbox or ""


@dataclass(frozen=True)
class _Token:
    kind: str           # "word", "quoted", "comment", "literal" or a special character
    text: str
    space: bool         # whitespace before it (phrase words keep one space)


def _tokens(value: str) -> list[_Token]:
    out: list[_Token] = []
    i, space = 0, False
    while i < len(value):
        char = value[i]
        if char in " \t\r\n":
            i, space = i + 1, True
            continue
        if char == '"':
            text, i = _delimited(value, i + 1, '"')
            out.append(_Token("quoted", text, space))
        elif char == "(":
            text, i = _comment(value, i + 1)
            out.append(_Token("comment", text, space))
        elif char == "[":
            text, i = _delimited(value, i + 1, "]")
            out.append(_Token("literal", f"[{text}]", space))
        elif char in _SPECIALS:
            out.append(_Token(char, char, space))
            i += 1
        else:
            start = i
            while i < len(value) and value[i] not in ' \t\r\n"()[' + _SPECIALS:
                i += 1
            out.append(_Token("word", value[start:i], space))
        space = False
    return out


def _delimited(value: str, i: int, close: str) -> tuple[str, int]:
    out = []
    while i < len(value) and value[i] != close:
        if value[i] == "\\" and i + 1 < len(value):
            i += 1
        out.append(value[i])
        i += 1
    return "".join(out), i + 1


def _comment(value: str, i: int) -> tuple[str, int]:
    depth, start = 1, i
    while i < len(value) and depth:
        if value[i] == "\\":
            i += 1
        elif value[i] == "(":
            depth += 1
        elif value[i] == ")":
            depth -= 1
        i += 1
    return value[start:i - 1 if depth == 0 else i], i


class _Reader:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.pos = tokens, 0
        self.comment: str | None = None

    def peek(self) -> str | None:
        self._skip_comments()
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def _skip_comments(self) -> None:
        while self.pos < len(self.tokens) and self.tokens[self.pos].kind == "comment":
            self.comment = self.tokens[self.pos].text
            self.pos += 1

    def take(self) -> _Token:
        self._skip_comments()
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def words(self, stop: str) -> list[_Token]:
        """Words up to (not including) one of the ``stop`` specials."""
        out = []
        while (kind := self.peek()) is not None and kind not in stop:
            out.append(self.take())
        return out


def _phrase(words: list[_Token]) -> str | None:
    text = "".join((" " if w.space and n else "") + w.text for n, w in enumerate(words))
    return text or None


def _joined(words: list[_Token]) -> str:
    return "".join(w.text for w in words)


def parse(value: str) -> list[Address]:
    """Every address of a header value, with group markers (RFC 3501 §7.4.2)."""
    reader, out = _Reader(_tokens(value)), []
    while reader.peek() is not None:
        if reader.peek() in ",;":
            reader.take()
            continue
        out += _address(reader)
    return out


def _address(reader: _Reader) -> list[Address]:
    reader.comment = None
    words = reader.words("<:@,;")
    kind = reader.peek()
    if kind == ":":                                  # group: name ":" [mailboxes] ";"
        reader.take()
        members = []
        while (kind := reader.peek()) is not None and kind != ";":
            if kind == ",":
                reader.take()
                continue
            members += _address(reader)
        if kind == ";":
            reader.take()
        return [Address(None, None, _phrase(words) or "", None), *members,
                Address(None, None, None, None)]
    if kind == "<":
        reader.take()
        return [_angle(reader, _phrase(words))]
    if kind == "@":                                  # addr-spec: local "@" domain
        reader.take()
        domain = _joined(reader.words(",;<"))
        return [_mailbox(reader.comment, None, _joined(words), domain)]
    if not words:
        return []
    return [_mailbox(reader.comment, None, _joined(words), "")]


def _angle(reader: _Reader, name: str | None) -> Address:
    """``<[@route,@route:]local@domain>``; a comment inside never becomes the name."""
    adl = None
    if reader.peek() == "@":
        route = reader.words(":>")
        adl = _joined(route) if route else None
        if reader.peek() == ":":
            reader.take()
    local = _joined(reader.words("@>"))
    domain = ""
    if reader.peek() == "@":
        reader.take()
        domain = _joined(reader.words(">"))
    if reader.peek() == ">":
        reader.take()
    return _mailbox(name, adl, local, domain)


def _mailbox(name: str | None, adl: str | None, local: str, domain: str) -> Address:
    return Address(name or None, adl, local or MISSING_MAILBOX, domain or MISSING_DOMAIN)
